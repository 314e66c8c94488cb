-- Typing ---------------------------------------------------------------

-- name: TypingStart :one
-- Marks a user as typing until expires_at; tells whether they were typing
-- already at now (then nobody needs telling). old reads the statement's
-- snapshot, before the upsert (a locking read would skip the row the upsert
-- changed).
WITH old AS (
    SELECT expires_at FROM typing WHERE room_id = @room_id AND user_id = @user_id
)
INSERT INTO typing (room_id, user_id, expires_at) VALUES (@room_id, @user_id, @expires_at)
ON CONFLICT (room_id, user_id) DO UPDATE SET expires_at = excluded.expires_at
RETURNING coalesce((SELECT expires_at > @now::timestamptz FROM old), false)::boolean AS was_typing;

-- name: TypingStop :one
-- Removes a typer; tells whether they were still typing at now.
WITH gone AS (
    DELETE FROM typing WHERE room_id = @room_id AND user_id = @user_id RETURNING expires_at
)
SELECT coalesce(bool_or(expires_at > @now::timestamptz), false)::boolean AS was_typing FROM gone;

-- name: TypingRoomsTouch :exec
-- Records that the typers of rooms changed at the transaction's stream
-- position (StreamAdvance).
INSERT INTO typing_rooms (room_id, stream_pos)
SELECT DISTINCT unnest(@room_ids::text[]), currval('stream_positions')
ON CONFLICT (room_id) DO UPDATE SET stream_pos = excluded.stream_pos;

-- name: TypingExpiredAny :one
SELECT EXISTS (SELECT 1 FROM typing WHERE expires_at <= @now);

-- name: TypingExpire :many
-- Removes the typers whose time ran out by now; returns their rooms.
DELETE FROM typing WHERE expires_at <= @now RETURNING room_id;

-- name: TypingChanged :many
-- The typers at now of the rooms whose typers changed in (since, upto]; a
-- room with nobody typing any more gives one row with an empty user.
SELECT tr.room_id, coalesce(t.user_id, '') AS user_id
FROM typing_rooms tr
LEFT JOIN typing t ON t.room_id = tr.room_id AND t.expires_at > @now::timestamptz
WHERE tr.room_id = ANY(@room_ids::text[]) AND tr.stream_pos > @since::bigint AND tr.stream_pos <= @upto::bigint
ORDER BY tr.room_id, t.user_id;

-- name: TypingCurrent :many
-- The typers at now of the rooms.
SELECT room_id, user_id FROM typing
WHERE room_id = ANY(@room_ids::text[]) AND expires_at > @now::timestamptz
ORDER BY room_id, user_id;

-- Receipts ---------------------------------------------------------------

-- name: ReceiptTarget :one
-- What storing a receipt needs to know: the user's membership of the room,
-- the acknowledged event's stream position and relation (and its parent's,
-- for thread checks), and the position of the receipt's current event.
-- No row: the room is unknown.
SELECT coalesce(m.membership, 'leave')::text AS membership,
       e.stream_pos AS event_pos, e.relates_to, e.rel_type,
       p.relates_to AS parent_relates_to, p.rel_type AS parent_rel_type,
       x.event_pos AS current_pos
FROM rooms r
LEFT JOIN memberships m ON m.room_nid = r.room_nid AND m.user_id = @user_id
LEFT JOIN events e ON e.room_nid = r.room_nid AND e.event_id = @event_id::text
LEFT JOIN events p ON p.event_id = e.relates_to
LEFT JOIN receipts x ON x.room_id = r.room_id AND x.user_id = @user_id
    AND x.receipt_type = @receipt_type::text AND x.thread_id = @thread_id::text
WHERE r.room_id = @room_id::text;

-- name: ReceiptPut :exec
-- Stores a receipt at the transaction's stream position, unless the one
-- stored acknowledges a later event.
INSERT INTO receipts (room_id, user_id, receipt_type, thread_id, event_id, event_pos, ts, stream_pos)
VALUES (@room_id, @user_id, @receipt_type, @thread_id, @event_id, @event_pos, @ts, currval('stream_positions'))
ON CONFLICT (room_id, user_id, receipt_type, thread_id) DO UPDATE
SET event_id = excluded.event_id, event_pos = excluded.event_pos, ts = excluded.ts, stream_pos = excluded.stream_pos
WHERE receipts.event_pos < excluded.event_pos;

-- name: ReceiptsSince :many
-- The receipts of the rooms that changed in (since, upto] that user may
-- see: everyone's m.read and their own m.read.private.
SELECT room_id, user_id, receipt_type, thread_id, event_id, ts FROM receipts
WHERE room_id = ANY(@room_ids::text[]) AND stream_pos > @since::bigint AND stream_pos <= @upto::bigint
  AND (receipt_type = 'm.read' OR (receipt_type = 'm.read.private' AND user_id = @user_id))
ORDER BY room_id, stream_pos;

-- name: ReceiptsOfUser :many
-- A user's receipts in a room (the read marker left out).
SELECT receipt_type, thread_id, event_id, event_pos, ts FROM receipts
WHERE room_id = @room_id AND user_id = @user_id AND receipt_type <> 'm.fully_read'
ORDER BY event_pos DESC;

-- Presence ---------------------------------------------------------------

-- name: PresenceEnsure :exec
-- Gives a user a presence row (offline, never shown) when they have none,
-- so that PresenceLock has a row to lock.
INSERT INTO presence (user_id, state, last_active_at, last_sync_at, stream_pos)
VALUES (@user_id, 'offline', @now, @now, 0)
ON CONFLICT (user_id) DO NOTHING;

-- name: PresenceLock :one
-- Locks a user's presence for an update and returns it, with the rooms the
-- user is joined to (whose members see it).
SELECT p.state, p.status_msg, p.last_active_at, p.last_sync_at,
       array(SELECT r.room_id FROM memberships m JOIN rooms r USING (room_nid)
             WHERE m.user_id = p.user_id AND m.membership = 'join' ORDER BY r.room_id)::text[] AS rooms
FROM presence p WHERE p.user_id = @user_id
FOR UPDATE OF p;

-- name: PresenceWriteVisible :exec
-- Writes a presence change others see, at the transaction's stream
-- position (StreamAdvance).
UPDATE presence SET state = @state, status_msg = @status_msg, last_active_at = @last_active_at,
    last_sync_at = @last_sync_at, due_at = sqlc.narg('due_at'), stream_pos = currval('stream_positions')
WHERE user_id = @user_id;

-- name: PresenceWrite :exec
-- Writes a presence change nobody is told of (times, or anything while
-- presence is off), keeping the stream position.
UPDATE presence SET state = @state, status_msg = @status_msg, last_active_at = @last_active_at,
    last_sync_at = @last_sync_at, due_at = sqlc.narg('due_at')
WHERE user_id = @user_id;

-- name: PresenceGet :one
SELECT state, status_msg, last_active_at FROM presence WHERE user_id = @user_id;

-- name: PresenceShareRoom :one
-- Whether two users are joined to a common room.
SELECT EXISTS (
    SELECT 1 FROM memberships a JOIN memberships b USING (room_nid)
    WHERE a.user_id = @user_id AND a.membership = 'join' AND b.user_id = @other::text AND b.membership = 'join');

-- name: PresenceSince :many
-- The presence of user and of the users sharing a joined room with them
-- that changed in (since, upto].
SELECT p.user_id, p.state, p.status_msg, p.last_active_at FROM presence p
WHERE p.stream_pos > @since::bigint AND p.stream_pos <= @upto::bigint
  AND (p.user_id = @user_id OR EXISTS (
      SELECT 1 FROM memberships a JOIN memberships b USING (room_nid)
      WHERE a.user_id = @user_id AND a.membership = 'join' AND b.user_id = p.user_id AND b.membership = 'join'))
ORDER BY p.stream_pos;

-- name: PresenceOfContacts :many
-- The presence as of upto of user and of everyone sharing a joined room with
-- them, leaving out those offline with nothing to say.
SELECT p.user_id, p.state, p.status_msg, p.last_active_at FROM presence p
WHERE p.user_id IN (
        SELECT b.user_id FROM memberships a JOIN memberships b USING (room_nid)
        WHERE a.user_id = @user_id AND a.membership = 'join' AND b.membership = 'join'
        UNION ALL SELECT @user_id)
  AND p.stream_pos > 0 AND p.stream_pos <= @upto::bigint
  AND (p.state <> 'offline' OR p.status_msg IS NOT NULL)
ORDER BY p.user_id;

-- name: PresenceDueAny :one
-- Whether a user is due for the sweeper by now.
SELECT EXISTS (SELECT 1 FROM presence WHERE due_at <= @now::timestamptz);

-- name: PresenceDueLock :many
-- Locks users due for the sweeper by now, skipping those another
-- transaction holds.
SELECT user_id, state, last_active_at, last_sync_at FROM presence
WHERE due_at <= @now::timestamptz
ORDER BY due_at
LIMIT 1000
FOR UPDATE SKIP LOCKED;

-- name: PresenceSweepStates :exec
-- Sets the state and next due time of users at the transaction's stream
-- position; a due time at the epoch means never.
UPDATE presence p
SET state = (@states::text[])[u.i],
    due_at = nullif((@dues::timestamptz[])[u.i], 'epoch'),
    stream_pos = currval('stream_positions')
FROM unnest(@user_ids::text[]) WITH ORDINALITY AS u(user_id, i)
WHERE p.user_id = u.user_id;

-- name: PresenceSweepDues :exec
-- Moves the next due time of users whose state stays; a due time at the
-- epoch means never.
UPDATE presence p SET due_at = nullif((@dues::timestamptz[])[u.i], 'epoch')
FROM unnest(@user_ids::text[]) WITH ORDINALITY AS u(user_id, i)
WHERE p.user_id = u.user_id;

-- name: PresenceRoomsOfUsers :many
-- The rooms any of the users is joined to.
SELECT DISTINCT r.room_id FROM memberships m JOIN rooms r USING (room_nid)
WHERE m.user_id = ANY(@user_ids::text[]) AND m.membership = 'join';
