-- name: UIASessionInsert :exec
INSERT INTO uia_sessions (session_id, operation, user_id, created_at) VALUES ($1, $2, $3, $4);

-- name: UIASessionGetForUpdate :one
SELECT * FROM uia_sessions WHERE session_id = $1 FOR UPDATE;

-- name: UIASessionComplete :exec
-- Records a completed stage once, keeping the order stages were done in.
UPDATE uia_sessions
SET completed = CASE WHEN @stage::text = ANY(completed) THEN completed ELSE array_append(completed, @stage::text) END,
    registration_token = coalesce(sqlc.narg('registration_token')::text, registration_token)
WHERE session_id = $1;

-- name: UIASessionDelete :exec
DELETE FROM uia_sessions WHERE session_id = $1;

-- name: UIASessionDeleteExpired :exec
-- Expired sessions give back the registration-token uses they held pending.
WITH expired AS (
    DELETE FROM uia_sessions WHERE created_at < @before::timestamptz RETURNING registration_token
)
UPDATE registration_tokens r SET pending = greatest(r.pending - e.n, 0)
FROM (SELECT registration_token, count(*) AS n FROM expired
      WHERE registration_token IS NOT NULL GROUP BY registration_token) e
WHERE r.token = e.registration_token;

-- name: RegistrationTokenGetForUpdate :one
SELECT * FROM registration_tokens WHERE token = $1 FOR UPDATE;

-- name: RegistrationTokenGet :one
SELECT * FROM registration_tokens WHERE token = $1;

-- name: RegistrationTokenAddPending :exec
UPDATE registration_tokens SET pending = pending + $2 WHERE token = $1;

-- name: RegistrationTokenComplete :exec
-- A registration that used the token completed: its pending use becomes a use.
UPDATE registration_tokens SET pending = greatest(pending - 1, 0), completed = completed + 1 WHERE token = $1;

-- name: RegistrationTokenInsert :exec
INSERT INTO registration_tokens (token, uses_allowed, expiry_time) VALUES ($1, $2, $3);

-- name: AdminRegisterNonceInsert :exec
INSERT INTO admin_register_nonces (nonce, created_at) VALUES ($1, $2);

-- name: AdminRegisterNonceConsume :one
DELETE FROM admin_register_nonces WHERE nonce = $1 AND created_at > @after::timestamptz RETURNING nonce;
