-- +goose Up

-- push_rules is what each user changed in their push rules: their own
-- rules and their changes to the server-default ones, as one JSON document
-- (impl/push), changed under a row lock. version moves at every change, so
-- that processes keep a user's compiled rules until it does. Users who
-- never changed a rule have no row: the defaults apply.
CREATE TABLE push_rules (
    user_id text PRIMARY KEY,
    rules   bytea NOT NULL,
    version bigint NOT NULL
);

-- pushers are where users' notifications go: HTTP pushers post to a push
-- gateway at url. data is the object the client set (sent on to the
-- gateway without its url); pushkey_ts is when the pushkey was set, in
-- seconds; device_id is the device whose access token set it.
CREATE TABLE pushers (
    user_id             text NOT NULL,
    app_id              text NOT NULL,
    pushkey             text NOT NULL,
    kind                text NOT NULL,
    app_display_name    text NOT NULL,
    device_display_name text NOT NULL,
    profile_tag         text,
    lang                text NOT NULL,
    data                bytea NOT NULL,
    url                 text NOT NULL,
    device_id           text,
    pushkey_ts          bigint NOT NULL,
    PRIMARY KEY (user_id, app_id, pushkey)
);
CREATE INDEX pushers_key ON pushers (app_id, pushkey);

-- push_cursor is how far push delivery has read the event stream: events
-- after it may still need notifications. One row.
CREATE TABLE push_cursor (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    stream_pos bigint NOT NULL
);

-- push_counts caches a user's unread counts in a room, computed when read
-- (never written per event per member): counted up to stream position
-- upto, from the receipts as they were at receipt_pos (the latest change
-- of the user's receipts in the room) and the membership at member_pos.
-- threads holds per-thread counts ({"$root": [notifications,
-- highlights]}); notifications and highlights are the main timeline's.
CREATE TABLE push_counts (
    user_id       text NOT NULL,
    room_nid      bigint NOT NULL,
    upto          bigint NOT NULL,
    receipt_pos   bigint NOT NULL,
    member_pos    bigint NOT NULL,
    notifications integer NOT NULL,
    highlights    integer NOT NULL,
    threads       bytea,
    PRIMARY KEY (user_id, room_nid)
);

-- +goose Down
DROP TABLE push_counts;
DROP TABLE push_cursor;
DROP TABLE pushers;
DROP TABLE push_rules;
