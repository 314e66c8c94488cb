-- +goose Up

-- room_summaries caches what the public room list and room summaries show
-- of a room (impl/directory): its name, topic, alias, avatar, rules and
-- joined member count, read from its current state. A row is computed from
-- the state snapshot it names and is stale once rooms.current_snapshot_nid
-- moves on; readers recompute stale rows before they read. Every change the
-- summary shows (the member count included) is a state event, so comparing
-- the two snapshot NIDs is enough, and the write path does no work for it.
CREATE TABLE room_summaries (
    room_nid           bigint PRIMARY KEY REFERENCES rooms (room_nid),
    snapshot_nid       bigint NOT NULL,
    name               text,
    topic              text,
    canonical_alias    text,
    avatar_url         text,
    join_rule          text,
    history_visibility text,
    guest_access       text,
    -- The create event's type (m.space, ...), NULL for plain rooms.
    room_type          text,
    -- The m.room.encryption algorithm, NULL when not encrypted.
    encryption         text,
    -- The rooms a restricted join rule lets members of join from.
    allowed_room_ids   text[] NOT NULL DEFAULT '{}',
    joined_members     integer NOT NULL
);

-- The public room list reads the published rooms only.
CREATE INDEX rooms_published ON rooms (room_nid) WHERE published;

-- +goose Down
DROP INDEX rooms_published;
DROP TABLE room_summaries;
