-- +goose Up

-- profiles are local users' profiles (impl/accounts). The display name and
-- avatar, which member events carry and the user directory searches, have
-- columns; every other field (m.tz, custom fields) is in fields, a JSON
-- object holding each value as the client sent it. Accounts get their row
-- at registration (guests none); a user with no row has an empty profile.
CREATE TABLE profiles (
    user_id     text PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    displayname text,
    avatar_url  text,
    fields      json NOT NULL DEFAULT '{}',
    -- The words the user directory (impl/directory, users.go) matches
    -- search terms against, as prefixes: those of the localpart (split at
    -- its punctuation) and of the display name.
    directory_words tsvector NOT NULL GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig,
            translate(split_part(substr(user_id, 2), ':', 1), '._=-/+', '      ') || ' ' || coalesce(displayname, ''))) STORED
);
-- Without fastupdate: profiles change rarely and are searched often, so
-- changes go straight into the index rather than into a pending list that
-- every search would scan until VACUUM merges it.
CREATE INDEX profiles_directory ON profiles USING gin (directory_words) WITH (fastupdate = off);

-- Accounts made before profiles start with their localpart as display
-- name, as new ones do.
INSERT INTO profiles (user_id, displayname)
SELECT user_id, split_part(substr(user_id, 2), ':', 1) FROM users WHERE NOT is_guest AND NOT erased;

-- event_content_string is the string at content.<field> of a PDU, or NULL
-- when it is absent or not a string. A PDU PostgreSQL cannot decode (JSON
-- nested deeper than its parser goes, a \u0000 escape) answers NULL rather
-- than failing the statement: an event the Go side accepted must never
-- make a send or a search fail. It reads json, not jsonb: json only checks
-- the text and finds the field, which costs less than building jsonb. Its
-- exception block (a subtransaction) rules out parallel plans.
-- +goose StatementBegin
CREATE FUNCTION event_content_string(pdu bytea, field text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL UNSAFE AS $$
DECLARE
    value json;
BEGIN
    BEGIN
        value := convert_from(pdu, 'UTF8')::json -> 'content' -> field;
        IF json_typeof(value) IS DISTINCT FROM 'string' THEN
            RETURN NULL;
        END IF;
        RETURN value #>> '{}';
    EXCEPTION WHEN OTHERS THEN
        RETURN NULL;
    END;
END
$$;
-- +goose StatementEnd

-- The join rules and history visibility events that open a room to the
-- user directory's searches (a public join rule, world-readable history):
-- a partial index whose predicate is what the directory asks, so that its
-- query (UserDirectorySearchVisible) finds the answer in the index instead
-- of decoding events. Other events cost the test of their type.
CREATE INDEX events_directory_open ON events (event_nid)
    WHERE type IN ('m.room.join_rules', 'm.room.history_visibility')
      AND (event_content_string(pdu, 'join_rule') = 'public'
           OR event_content_string(pdu, 'history_visibility') = 'world_readable');

-- event_search is the full-text index of room events for POST /search
-- (impl/search): one row per searchable event of the timeline (message
-- bodies, room names and topics), with what the search filters on beside
-- the words. The rows are derived from events.pdu by the triggers below,
-- like an index: every way an event is stored (local sends, federation,
-- upgrades) and every redaction keeps it right without the write path
-- knowing. A row is written only for the three searchable types, so other
-- events cost the trigger's WHEN test and nothing more.
CREATE TABLE event_search (
    event_nid  bigint PRIMARY KEY REFERENCES events (event_nid) ON DELETE CASCADE,
    room_nid   bigint NOT NULL,
    stream_pos bigint NOT NULL,
    sender     text NOT NULL,
    -- The content key the words come from: content.body, content.name or
    -- content.topic (the spec's search keys).
    key        text NOT NULL,
    vector     tsvector NOT NULL
);
CREATE INDEX event_search_vector ON event_search USING gin (vector);

-- event_search_value is the text an event contributes to the search, or
-- NULL: the body of m.room.message, the name of m.room.name and the topic
-- of m.room.topic (state key "").
-- +goose StatementBegin
CREATE FUNCTION event_search_value(ev_type text, state_key text, pdu bytea) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL UNSAFE AS $$
    SELECT CASE
        WHEN ev_type = 'm.room.message' THEN event_content_string(pdu, 'body')
        WHEN ev_type = 'm.room.name' AND state_key = '' THEN event_content_string(pdu, 'name')
        WHEN ev_type = 'm.room.topic' AND state_key = '' THEN event_content_string(pdu, 'topic')
    END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION event_search_index() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    value text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM event_search WHERE event_nid = OLD.event_nid;
    END IF;
    -- Outliers (no stream position), rejected and soft-failed events are
    -- not in the timeline clients search.
    IF NEW.stream_pos IS NULL OR NEW.rejected OR NEW.soft_failed THEN
        RETURN NULL;
    END IF;
    value := event_search_value(NEW.type, NEW.state_key, NEW.pdu);
    IF value IS NOT NULL THEN
        INSERT INTO event_search (event_nid, room_nid, stream_pos, sender, key, vector)
        VALUES (NEW.event_nid, NEW.room_nid, NEW.stream_pos, NEW.sender,
                CASE NEW.type WHEN 'm.room.message' THEN 'content.body' WHEN 'm.room.name' THEN 'content.name'
                              ELSE 'content.topic' END,
                to_tsvector('english', value));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER events_search_insert AFTER INSERT ON events FOR EACH ROW
    WHEN (NEW.type IN ('m.room.message', 'm.room.name', 'm.room.topic'))
    EXECUTE FUNCTION event_search_index();
-- A redaction rewrites pdu: the redacted event drops out of the search.
CREATE TRIGGER events_search_update AFTER UPDATE OF pdu, stream_pos, rejected, soft_failed ON events FOR EACH ROW
    WHEN (NEW.type IN ('m.room.message', 'm.room.name', 'm.room.topic'))
    EXECUTE FUNCTION event_search_index();

-- Events stored before this migration.
INSERT INTO event_search (event_nid, room_nid, stream_pos, sender, key, vector)
SELECT e.event_nid, e.room_nid, e.stream_pos, e.sender,
       CASE e.type WHEN 'm.room.message' THEN 'content.body' WHEN 'm.room.name' THEN 'content.name' ELSE 'content.topic' END,
       to_tsvector('english', v.value)
FROM events e, LATERAL (SELECT event_search_value(e.type, e.state_key, e.pdu) AS value) v
WHERE e.type IN ('m.room.message', 'm.room.name', 'm.room.topic')
  AND e.stream_pos IS NOT NULL AND NOT e.rejected AND NOT e.soft_failed AND v.value IS NOT NULL;

-- +goose Down
DROP TRIGGER events_search_update ON events;
DROP TRIGGER events_search_insert ON events;
DROP FUNCTION event_search_index();
DROP FUNCTION event_search_value(text, text, bytea);
DROP TABLE event_search;
DROP INDEX events_directory_open;
DROP FUNCTION event_content_string(bytea, text);
DROP TABLE profiles;
