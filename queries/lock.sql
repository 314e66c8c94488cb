-- name: RoomLock :exec
-- Serialises writers of one room until the transaction ends. Class 1 is
-- rooms (class 2 is the stream barrier).
SELECT pg_advisory_xact_lock(1, mod(@room_nid::bigint, 2147483647)::integer);
