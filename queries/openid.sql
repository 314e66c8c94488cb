-- OpenID tokens (impl/accounts/openid.go owns these): issued to local users
-- and exchanged by other services for the user's ID.

-- name: OpenIDTokenInsert :exec
INSERT INTO openid_tokens (token_hash, user_id, expires_at) VALUES (@token_hash, @user_id, @expires_at);

-- name: OpenIDTokenOwner :one
-- The user a token was issued to, while it lives and their account is
-- active.
SELECT t.user_id FROM openid_tokens t JOIN users u USING (user_id)
WHERE t.token_hash = @token_hash AND t.expires_at > @now AND u.deactivated_at IS NULL;

-- name: OpenIDTokenDeleteExpired :exec
DELETE FROM openid_tokens WHERE expires_at <= @now;
