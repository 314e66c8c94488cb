-- The queries of POST /search (impl/search), over event_search (migration
-- 00008). @term is in websearch_to_tsquery's syntax: words, "quoted
-- phrases", or, -word. Matches are in the given rooms, keys and senders
-- (@by_sender: only @senders; never @not_senders).

-- name: SearchRoomsOfUser :many
-- The rooms a user is joined to, the rooms a search looks in.
SELECT m.room_nid, r.room_id FROM memberships m JOIN rooms r ON r.room_nid = m.room_nid
WHERE m.user_id = $1 AND m.membership = 'join';

-- name: SearchCount :one
-- How many events match in all.
SELECT count(*) FROM event_search s
WHERE s.vector @@ websearch_to_tsquery('english', @term::text)
  AND s.room_nid = ANY(@room_nids::bigint[]) AND s.key = ANY(@keys::text[])
  AND (NOT @by_sender::boolean OR s.sender = ANY(@senders::text[])) AND NOT (s.sender = ANY(@not_senders::text[]));

-- name: SearchByRank :many
-- A batch of matches, best first (ts_rank, then newest), after the cursor
-- (@after_rank, @after_pos) unless @from_start. Ranking needs every match
-- scored, the price of this order.
SELECT s.event_nid, s.stream_pos, ts_rank(s.vector, q.q)::real AS rank
FROM event_search s, websearch_to_tsquery('english', @term::text) AS q(q)
WHERE s.vector @@ q.q
  AND s.room_nid = ANY(@room_nids::bigint[]) AND s.key = ANY(@keys::text[])
  AND (NOT @by_sender::boolean OR s.sender = ANY(@senders::text[])) AND NOT (s.sender = ANY(@not_senders::text[]))
  AND (@from_start::boolean OR ts_rank(s.vector, q.q)::real < @after_rank::real
       OR (ts_rank(s.vector, q.q)::real = @after_rank::real AND s.stream_pos < @after_pos::bigint))
ORDER BY rank DESC, s.stream_pos DESC
LIMIT @max_rows::integer;

-- name: SearchRecent :many
-- A batch of matches, newest first, before @before_pos; only the batch is
-- scored.
SELECT b.event_nid, b.stream_pos, ts_rank(b.vector, websearch_to_tsquery('english', @term::text))::real AS rank
FROM (
    SELECT s.event_nid, s.stream_pos, s.vector FROM event_search s
    WHERE s.vector @@ websearch_to_tsquery('english', @term::text)
      AND s.room_nid = ANY(@room_nids::bigint[]) AND s.key = ANY(@keys::text[])
      AND (NOT @by_sender::boolean OR s.sender = ANY(@senders::text[])) AND NOT (s.sender = ANY(@not_senders::text[]))
      AND s.stream_pos < @before_pos::bigint
    ORDER BY s.stream_pos DESC
    LIMIT @max_rows::integer
) b
ORDER BY b.stream_pos DESC;

-- name: SearchHighlights :many
-- Each text with the words a search matches (stemmed) wrapped in the
-- markers @options names, to tell clients which words to highlight.
SELECT ts_headline('english', t, websearch_to_tsquery('english', @term::text), @options::text)::text AS headline
FROM unnest(@texts::text[]) AS t;
