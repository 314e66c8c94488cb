-- name: RoomLock :exec
-- Serialises writers of one room until the transaction ends. Class 1 is
-- rooms (class 2 is the stream barrier); the key is the room ID's hash, so
-- a room is locked before it is read (or even created).
SELECT pg_advisory_xact_lock(1, hashtext(@room_id::text));
