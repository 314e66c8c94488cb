-- Purging a room (impl/rooms/purge.go owns these): every row the room
-- engine and the directory keep of it, deleted children first, under the
-- room's write lock. A purged room is unknown to this server afterwards.

-- name: PurgeRoomGet :one
SELECT room_nid FROM rooms WHERE room_id = $1;

-- name: PurgeRoomSummary :exec
DELETE FROM room_summaries WHERE room_nid = $1;

-- name: PurgeRoomCurrentState :exec
DELETE FROM current_state WHERE room_nid = $1;

-- name: PurgeRoomMemberships :exec
DELETE FROM memberships WHERE room_nid = $1;

-- name: PurgeRoomEvents :execrows
DELETE FROM events WHERE room_nid = $1;

-- name: PurgeRoomSnapshots :exec
-- All of a room's snapshots in one statement: parents point at snapshots of
-- the same room, and the foreign key is checked at the statement's end.
DELETE FROM state_snapshots WHERE room_nid = $1;

-- name: PurgeRoomAliases :exec
DELETE FROM room_aliases WHERE room_id = @room_id::text;

-- name: PurgeRoomRow :exec
DELETE FROM rooms WHERE room_nid = $1;
