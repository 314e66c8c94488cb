-- name: UserInsert :exec
INSERT INTO users (user_id, password_hash, is_admin, is_guest, user_type)
VALUES ($1, $2, $3, $4, $5);

-- name: UserExists :one
SELECT EXISTS (SELECT 1 FROM users WHERE user_id = $1);

-- name: UserGet :one
SELECT * FROM users WHERE user_id = $1;

-- name: UserSetPassword :exec
UPDATE users SET password_hash = $2 WHERE user_id = $1;

-- name: UserDeactivate :exec
UPDATE users SET deactivated_at = now(), password_hash = NULL, erased = erased OR @erase::boolean
WHERE user_id = $1;

-- name: UserCount :one
SELECT count(*) FROM users;

-- name: DeviceUpsert :exec
-- Logging in again with a known device ID reuses the device and keeps its name
-- unless a new one is given.
INSERT INTO devices (user_id, device_id, display_name)
VALUES ($1, $2, $3)
ON CONFLICT (user_id, device_id) DO UPDATE
SET display_name = coalesce(excluded.display_name, devices.display_name);

-- name: DeviceGet :one
SELECT * FROM devices WHERE user_id = $1 AND device_id = $2;

-- name: DeviceListByUser :many
SELECT * FROM devices WHERE user_id = $1 ORDER BY device_id;

-- name: DeviceSetDisplayName :execrows
UPDATE devices SET display_name = $3 WHERE user_id = $1 AND device_id = $2;

-- name: DeviceTouch :exec
UPDATE devices SET last_seen_at = now(), last_seen_ip = $3, last_seen_agent = $4
WHERE user_id = $1 AND device_id = $2;

-- name: DeviceDelete :many
DELETE FROM devices WHERE user_id = $1 AND device_id = ANY(@device_ids::text[])
RETURNING device_id;

-- name: DeviceDeleteAllExcept :many
-- Deletes every device of a user but one (an empty keep deletes them all).
DELETE FROM devices WHERE user_id = $1 AND device_id <> @keep::text
RETURNING device_id;

-- name: AccessTokenInsert :exec
INSERT INTO access_tokens (token_hash, user_id, device_id, refresh_token_id, expires_at, used)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: AccessTokenLookup :one
-- The one query every authenticated request makes.
SELECT t.user_id, t.device_id, t.expires_at, t.used, t.refresh_token_id,
       u.is_admin, u.is_guest, (u.deactivated_at IS NOT NULL)::boolean AS deactivated,
       u.locked, u.suspended
FROM access_tokens t JOIN users u ON u.user_id = t.user_id
WHERE t.token_hash = $1;

-- name: AccessTokenMarkUsed :exec
UPDATE access_tokens SET used = true WHERE token_hash = $1;

-- name: AccessTokenDelete :exec
DELETE FROM access_tokens WHERE token_hash = $1;

-- name: AccessTokenDeleteByDevice :exec
DELETE FROM access_tokens WHERE user_id = $1 AND device_id = $2;

-- name: AccessTokenDeleteByUserExcept :exec
DELETE FROM access_tokens WHERE user_id = $1 AND token_hash <> @keep::bytea;

-- name: RefreshTokenInsert :one
INSERT INTO refresh_tokens (token_hash, user_id, device_id)
VALUES ($1, $2, $3)
RETURNING id;

-- name: RefreshTokenLookupForUpdate :one
SELECT * FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE;

-- name: RefreshTokenSetNext :exec
UPDATE refresh_tokens SET next_id = $2 WHERE id = $1;

-- name: RefreshTokenDeletePredecessor :exec
-- Once a successor is in use, the token it replaced is revoked.
DELETE FROM refresh_tokens WHERE next_id = $1;

-- name: RefreshTokenDeleteByUserExcept :exec
DELETE FROM refresh_tokens r WHERE r.user_id = $1
AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.refresh_token_id = r.id AND a.token_hash = @keep::bytea);

-- name: LoginTokenInsert :exec
INSERT INTO login_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3);

-- name: LoginTokenConsume :one
-- A login token works once.
DELETE FROM login_tokens WHERE token_hash = $1 RETURNING user_id, expires_at;

-- name: LoginTokenDeleteExpired :exec
DELETE FROM login_tokens WHERE expires_at < now();

-- name: RefreshTokenDelete :exec
DELETE FROM refresh_tokens WHERE id = $1;

-- name: AccessTokenDeleteByRefreshToken :exec
DELETE FROM access_tokens WHERE refresh_token_id = $1;
