-- The user directory's searches (impl/directory, users.go). Users match
-- when every word of @query (a to_tsquery of prefixes) starts a word of
-- their localpart or display name (profiles.directory_words, with its GIN
-- index); deactivated users never match, and at most 10,000 matches are
-- looked at, as Synapse does, so that a term like "a" stays cheap. Matches
-- are ranked: localpart or display name equal to @term, then starting
-- with it, then the rest; users with a display name first, then by name.

-- name: UserDirectorySearchAll :many
-- Every matching local user.
WITH matched AS MATERIALIZED (
    SELECT p.user_id, p.displayname, p.avatar_url
    FROM profiles p JOIN users u ON u.user_id = p.user_id
    WHERE p.directory_words @@ to_tsquery('simple'::regconfig, @query::text) AND u.deactivated_at IS NULL
    LIMIT 10000
)
SELECT m.user_id, m.displayname, m.avatar_url
FROM matched m
ORDER BY
    CASE WHEN lower(split_part(substr(m.user_id, 2), ':', 1)) = @term::text OR lower(m.displayname) = @term::text THEN 0
         WHEN starts_with(lower(split_part(substr(m.user_id, 2), ':', 1)), @term::text)
              OR starts_with(lower(m.displayname), @term::text) THEN 1
         ELSE 2 END,
    m.displayname IS NULL, lower(coalesce(m.displayname, m.user_id)), m.user_id
LIMIT @max_rows::integer;

-- name: UserDirectorySearchVisible :many
-- The matching users the searcher may see: those joined to a room the
-- searcher is joined to, or to a room with a public join rule or
-- world-readable history (whose current join rules or history visibility
-- event is in the partial index events_directory_open). Each test is an
-- index probe per matched user and room, whatever the planner believes of
-- the number of matches.
WITH matched AS MATERIALIZED (
    SELECT p.user_id, p.displayname, p.avatar_url
    FROM profiles p JOIN users u ON u.user_id = p.user_id
    WHERE p.directory_words @@ to_tsquery('simple'::regconfig, @query::text) AND u.deactivated_at IS NULL
    LIMIT 10000
)
SELECT m.user_id, m.displayname, m.avatar_url
FROM matched m
WHERE EXISTS (
    SELECT 1 FROM memberships ms
    WHERE ms.user_id = m.user_id AND ms.membership = 'join'
      AND (ms.room_nid = ANY(ARRAY(SELECT s.room_nid FROM memberships s WHERE s.user_id = @searcher::text AND s.membership = 'join'))
           OR EXISTS (
               SELECT 1 FROM current_state cs JOIN events e ON e.event_nid = cs.event_nid
               WHERE cs.room_nid = ms.room_nid
                 AND cs.key_nid = ANY(ARRAY(SELECT k.key_nid FROM state_keys k
                                            WHERE k.state_key = '' AND k.type IN ('m.room.join_rules', 'm.room.history_visibility')))
                 AND e.type IN ('m.room.join_rules', 'm.room.history_visibility')
                 AND (event_content_string(e.pdu, 'join_rule') = 'public'
                      OR event_content_string(e.pdu, 'history_visibility') = 'world_readable'))))
ORDER BY
    CASE WHEN lower(split_part(substr(m.user_id, 2), ':', 1)) = @term::text OR lower(m.displayname) = @term::text THEN 0
         WHEN starts_with(lower(split_part(substr(m.user_id, 2), ':', 1)), @term::text)
              OR starts_with(lower(m.displayname), @term::text) THEN 1
         ELSE 2 END,
    m.displayname IS NULL, lower(coalesce(m.displayname, m.user_id)), m.user_id
LIMIT @max_rows::integer;
