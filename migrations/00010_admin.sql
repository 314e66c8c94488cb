-- +goose Up

-- Account moderation (v1.19 client-server, "Account locking" and "Account
-- suspension"): a locked account's every request answers M_USER_LOCKED; a
-- suspended one may read but not write. Both are reversible, unlike
-- deactivation. impl/accounts reads them on every authenticated request.
ALTER TABLE users
    ADD COLUMN locked    boolean NOT NULL DEFAULT false,
    ADD COLUMN suspended boolean NOT NULL DEFAULT false;

-- The admin user list is ordered and paged by creation time.
CREATE INDEX users_created ON users (created_at);

-- Quarantined media is kept but no longer served (impl/media).
ALTER TABLE media ADD COLUMN quarantined_by text;

-- like_contains is the LIKE pattern matching text that contains s, with
-- LIKE's wildcards in s taken literally (the admin lists' searches).
-- +goose StatementBegin
CREATE FUNCTION like_contains(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '%' || replace(replace(replace(s, '\', '\\'), '%', '\%'), '_', '\_') || '%' $$;
-- +goose StatementEnd

-- admin_audit_log records every admin action through the admin APIs: who did
-- what to which target, when (impl/admin).
CREATE TABLE admin_audit_log (
    audit_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor      text NOT NULL,
    action     text NOT NULL,
    target     text NOT NULL DEFAULT '',
    details    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_audit_log_actor ON admin_audit_log (actor, audit_id);

-- blocked_rooms are rooms local users may not join, invite to or knock on
-- (Synapse's block_room), whether or not this server still has the room.
CREATE TABLE blocked_rooms (
    room_id    text PRIMARY KEY,
    blocked_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- room_deletions track the admin API's room deletions, which run as jobs:
-- Synapse's delete status ("shutting_down", "purging", "complete",
-- "failed") and what the shutdown did.
CREATE TABLE room_deletions (
    delete_id    text PRIMARY KEY,
    room_id      text NOT NULL,
    requested_by text NOT NULL,
    params       jsonb NOT NULL,
    status       text NOT NULL DEFAULT 'shutting_down',
    error        text NOT NULL DEFAULT '',
    result       jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX room_deletions_room ON room_deletions (room_id, created_at);

-- server_notice_rooms is each user's room for server notices, made by the
-- system user on the first notice.
CREATE TABLE server_notice_rooms (
    user_id    text PRIMARY KEY,
    room_id    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE server_notice_rooms;
DROP TABLE room_deletions;
DROP TABLE blocked_rooms;
DROP TABLE admin_audit_log;
DROP FUNCTION like_contains;
ALTER TABLE media DROP COLUMN quarantined_by;
DROP INDEX users_created;
ALTER TABLE users DROP COLUMN suspended, DROP COLUMN locked;
