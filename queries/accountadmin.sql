-- What server admins change of accounts (impl/accounts/admin.go owns
-- these): moderation flags, the admin flag, reactivation and registration
-- tokens.

-- name: UserSetLocked :execrows
UPDATE users SET locked = $2 WHERE user_id = $1;

-- name: UserSetSuspended :execrows
UPDATE users SET suspended = $2 WHERE user_id = $1;

-- name: UserSetAdmin :execrows
UPDATE users SET is_admin = $2 WHERE user_id = $1;

-- name: UserSetType :execrows
UPDATE users SET user_type = $2 WHERE user_id = $1;

-- name: UserReactivate :execrows
UPDATE users SET deactivated_at = NULL WHERE user_id = $1;

-- name: RegistrationTokenList :many
-- Every token, or only those that can (valid) or cannot (not valid) be
-- used now, oldest first.
SELECT * FROM registration_tokens
WHERE sqlc.narg(valid)::boolean IS NULL
   OR sqlc.narg(valid)::boolean = ((expiry_time IS NULL OR expiry_time > @now::timestamptz)
                                   AND (uses_allowed IS NULL OR pending + completed < uses_allowed))
ORDER BY created_at, token;

-- name: RegistrationTokenUpdate :one
UPDATE registration_tokens
SET uses_allowed = CASE WHEN @set_uses::boolean THEN sqlc.narg(uses_allowed)::integer ELSE uses_allowed END,
    expiry_time = CASE WHEN @set_expiry::boolean THEN sqlc.narg(expiry_time)::timestamptz ELSE expiry_time END
WHERE token = @token
RETURNING *;

-- name: RegistrationTokenDelete :execrows
DELETE FROM registration_tokens WHERE token = $1;
