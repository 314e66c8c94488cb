-- +goose Up

-- A room's activity, for sliding sync's room lists: the position of its
-- latest event, and of its latest "proper" activity (messages and the like,
-- its bump stamp). Kept by the write path.
ALTER TABLE rooms ADD COLUMN last_pos bigint NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN bump_pos bigint NOT NULL DEFAULT 0;

-- sliding_conns are sliding sync connections, per user, device and conn_id.
-- confirmed_pos is the response the client last confirmed (by sending its
-- pos), confirmed_stream_pos the stream position it was computed up to;
-- sliding_rooms holds what that response had sent of each room.
CREATE TABLE sliding_conns (
    conn_nid      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       text NOT NULL,
    device_id     text NOT NULL,
    conn_id       text NOT NULL,
    confirmed_pos bigint NOT NULL DEFAULT 0,
    confirmed_stream_pos bigint NOT NULL DEFAULT 0,
    used_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, device_id, conn_id)
);
CREATE INDEX sliding_conns_used_at ON sliding_conns (used_at);

-- sliding_rooms: per connection and room, the stream position up to which
-- the room was sent, with which room config, and whether as stripped state
-- only (an invite or knock).
CREATE TABLE sliding_rooms (
    conn_nid       bigint NOT NULL REFERENCES sliding_conns (conn_nid) ON DELETE CASCADE,
    room_id        text NOT NULL,
    sent_pos       bigint NOT NULL,
    timeline_limit integer NOT NULL,
    config_key     text NOT NULL,
    stripped       boolean NOT NULL,
    PRIMARY KEY (conn_nid, room_id)
);

-- sliding_positions are responses not yet confirmed: what each would add to
-- sliding_rooms once the client sends its pos. Only the newest few of a
-- connection are kept.
CREATE TABLE sliding_positions (
    pos_nid    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conn_nid   bigint NOT NULL REFERENCES sliding_conns (conn_nid) ON DELETE CASCADE,
    stream_pos bigint NOT NULL,
    delta      jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sliding_positions_conn ON sliding_positions (conn_nid);

-- +goose Down
DROP TABLE sliding_positions;
DROP TABLE sliding_rooms;
DROP TABLE sliding_conns;
ALTER TABLE rooms DROP COLUMN bump_pos;
ALTER TABLE rooms DROP COLUMN last_pos;
