-- +goose Up

-- The thread events of a room in stream order, so that GET /threads ranks
-- a room's threads by latest activity without reading its whole history.
CREATE INDEX events_room_threads ON events (room_nid, stream_pos) WHERE rel_type = 'm.thread';

-- The transaction IDs of a page of events, for the device that sent them:
-- by event, not by reading every transaction the device ever sent.
CREATE INDEX event_txns_event ON event_txns (event_id);

-- +goose Down
DROP INDEX event_txns_event;
DROP INDEX events_room_threads;
