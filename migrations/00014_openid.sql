-- +goose Up

-- openid_tokens are the tokens of POST /user/{userId}/openid/request_token:
-- a user hands one to another service (a widget, Element Call), which
-- exchanges it for the user's ID through the federation API's
-- /openid/userinfo. As with access tokens, only the token's SHA-256 is kept.
CREATE TABLE openid_tokens (
    token_hash bytea PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
);
-- Expired tokens are deleted in bulk.
CREATE INDEX openid_tokens_expires ON openid_tokens (expires_at);

-- +goose Down
DROP TABLE openid_tokens;
