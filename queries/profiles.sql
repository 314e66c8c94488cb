-- name: ProfileGet :one
-- The profile of a local user, and whether the account exists at all: a
-- user with no profiles row has an empty profile.
SELECT u.user_id, p.displayname, p.avatar_url, coalesce(p.fields, '{}'::json)::json AS fields
FROM users u LEFT JOIN profiles p USING (user_id)
WHERE u.user_id = $1;

-- name: ProfileGetForUpdate :one
-- ProfileGet, locking the user's row until the transaction ends so that
-- concurrent changes of one profile apply one after the other.
SELECT u.user_id, p.displayname, p.avatar_url, coalesce(p.fields, '{}'::json)::json AS fields
FROM users u LEFT JOIN profiles p USING (user_id)
WHERE u.user_id = $1
FOR UPDATE OF u;

-- name: ProfileMember :one
-- What a user's member events carry.
SELECT displayname, avatar_url FROM profiles WHERE user_id = $1;

-- name: ProfileUpsert :exec
INSERT INTO profiles (user_id, displayname, avatar_url, fields)
VALUES (@user_id, @displayname, @avatar_url, @fields::json)
ON CONFLICT (user_id) DO UPDATE
SET displayname = excluded.displayname, avatar_url = excluded.avatar_url, fields = excluded.fields;

-- name: ProfileDelete :exec
DELETE FROM profiles WHERE user_id = $1;
