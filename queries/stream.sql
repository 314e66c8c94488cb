-- name: StreamAdvance :exec
-- Takes the stream barrier in shared mode for the rest of the transaction,
-- then the next position (see impl/stream: the order matters), which later
-- statements of the transaction read with currval('stream_positions').
SELECT nextval('stream_positions')
FROM (SELECT pg_advisory_xact_lock_shared(2, 0)) AS barrier;

-- name: StreamLastIssued :one
SELECT coalesce(last_value, 0)::bigint AS pos FROM pg_catalog.pg_sequences
WHERE schemaname = current_schema() AND sequencename = 'stream_positions';

-- name: StreamBarrier :exec
-- Waits for every transaction holding the barrier in shared mode.
SELECT pg_advisory_lock(2, 0), pg_advisory_unlock(2, 0);

-- name: StreamNotify :exec
SELECT pg_notify('hearth_stream', @payload::text);

-- name: StreamNotifyCurrent :exec
-- Announces the transaction's current position (StreamAdvance) for a room
-- and users; delivered at commit.
SELECT pg_notify('hearth_stream', json_build_object(
    'p', currval('stream_positions'), 'r', @room_id::text, 'u', @users::text[])::text);

-- name: StreamNotifyCurrentRooms :exec
-- Announces the transaction's current position for several rooms (a
-- presence change concerns every room its user is in) and users.
SELECT pg_notify('hearth_stream', json_build_object(
    'p', currval('stream_positions'), 'rs', @room_ids::text[], 'u', @users::text[])::text);
