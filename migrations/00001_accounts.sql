-- +goose Up

-- users holds every local account. Remote users never appear here.
CREATE TABLE users (
    user_id        text PRIMARY KEY,
    password_hash  text,
    is_admin       boolean NOT NULL DEFAULT false,
    is_guest       boolean NOT NULL DEFAULT false,
    user_type      text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    deactivated_at timestamptz,
    erased         boolean NOT NULL DEFAULT false
);

-- devices are the sessions of a user; tokens hang off them and die with them.
CREATE TABLE devices (
    user_id         text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    device_id       text NOT NULL,
    display_name    text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz,
    last_seen_ip    text,
    last_seen_agent text,
    PRIMARY KEY (user_id, device_id)
);

-- refresh_tokens rotate: using one issues its successor (next_id); the
-- predecessor is deleted once the successor or its access token is used.
CREATE TABLE refresh_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash  bytea NOT NULL UNIQUE,
    user_id     text NOT NULL,
    device_id   text NOT NULL,
    next_id     bigint REFERENCES refresh_tokens (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);

-- access_tokens are stored only as SHA-256 hashes of the random token.
CREATE TABLE access_tokens (
    token_hash       bytea PRIMARY KEY,
    user_id          text NOT NULL,
    device_id        text NOT NULL,
    refresh_token_id bigint REFERENCES refresh_tokens (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz,
    used             boolean NOT NULL DEFAULT false,
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);
CREATE INDEX access_tokens_device ON access_tokens (user_id, device_id);
CREATE INDEX refresh_tokens_device ON refresh_tokens (user_id, device_id);

-- login_tokens are the short-lived tokens of m.login.token.
CREATE TABLE login_tokens (
    token_hash bytea PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
);

-- uia_sessions carry user-interactive auth across requests and processes.
CREATE TABLE uia_sessions (
    session_id   text PRIMARY KEY,
    operation    text NOT NULL,
    -- user_id is empty for registrations, which have no user yet.
    user_id      text NOT NULL DEFAULT '',
    completed    text[] NOT NULL DEFAULT '{}',
    registration_token text,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uia_sessions_created ON uia_sessions (created_at);

-- registration_tokens gate registration when the mode is "token".
CREATE TABLE registration_tokens (
    token        text PRIMARY KEY,
    uses_allowed integer,
    pending      integer NOT NULL DEFAULT 0,
    completed    integer NOT NULL DEFAULT 0,
    expiry_time  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- admin_register_nonces back Synapse's shared-secret registration.
CREATE TABLE admin_register_nonces (
    nonce      text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE admin_register_nonces;
DROP TABLE registration_tokens;
DROP TABLE uia_sessions;
DROP TABLE login_tokens;
DROP TABLE access_tokens;
DROP TABLE refresh_tokens;
DROP TABLE devices;
DROP TABLE users;
