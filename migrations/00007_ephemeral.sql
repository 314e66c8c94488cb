-- +goose Up

-- account_data is what users keep on the server for their clients: global
-- (room_id '') and per room (tags are the room's m.tag). content is the
-- exact bytes the client sent. stream_pos is where it last changed, for
-- /sync.
CREATE TABLE account_data (
    user_id    text NOT NULL,
    room_id    text NOT NULL,
    type       text NOT NULL,
    content    bytea NOT NULL,
    stream_pos bigint NOT NULL,
    PRIMARY KEY (user_id, room_id, type)
);
CREATE INDEX account_data_stream ON account_data (user_id, stream_pos);

-- typing holds who is typing in which room, until when. Rows are deleted
-- when typing stops or expires (by a sweeper in every process).
CREATE TABLE typing (
    room_id    text NOT NULL,
    user_id    text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX typing_expiry ON typing (expires_at);

-- typing_rooms is where in the stream each room's set of typers last
-- changed: /sync sends a room's typers when this moved in its window.
CREATE TABLE typing_rooms (
    room_id    text PRIMARY KEY,
    stream_pos bigint NOT NULL
);

-- receipts are each user's newest receipt per room, type (m.read,
-- m.read.private, and m.fully_read: the read marker, which clients see as
-- room account data) and thread ('' unthreaded, 'main', or a thread root).
-- event_pos is the acknowledged event's stream position: receipts only
-- move forward, and unread counts start after it.
CREATE TABLE receipts (
    room_id      text NOT NULL,
    user_id      text NOT NULL,
    receipt_type text NOT NULL,
    thread_id    text NOT NULL,
    event_id     text NOT NULL,
    event_pos    bigint NOT NULL,
    ts           bigint NOT NULL,
    stream_pos   bigint NOT NULL,
    PRIMARY KEY (room_id, user_id, receipt_type, thread_id)
);
CREATE INDEX receipts_stream ON receipts (room_id, stream_pos);

-- presence is each user's presence: the state (online, unavailable,
-- offline), the status message, the last activity and the last sync that
-- kept them online. due_at is when the sweeper should look at the user
-- again (going idle or offline; NULL when offline). stream_pos is where a
-- change others see was made (0: never shown).
CREATE TABLE presence (
    user_id        text PRIMARY KEY,
    state          text NOT NULL,
    status_msg     text,
    last_active_at timestamptz NOT NULL,
    last_sync_at   timestamptz NOT NULL,
    due_at         timestamptz,
    stream_pos     bigint NOT NULL
);
CREATE INDEX presence_stream ON presence (stream_pos);
CREATE INDEX presence_due ON presence (due_at) WHERE due_at IS NOT NULL;

-- +goose Down
DROP TABLE presence;
DROP TABLE receipts;
DROP TABLE typing_rooms;
DROP TABLE typing;
DROP TABLE account_data;
