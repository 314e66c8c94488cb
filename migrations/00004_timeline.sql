-- +goose Up

-- The thread events of a room in stream order, so that GET /threads ranks
-- a room's threads by latest activity without reading its whole history.
CREATE INDEX events_room_threads ON events (room_nid, stream_pos) WHERE rel_type = 'm.thread';

-- +goose Down
DROP INDEX events_room_threads;
