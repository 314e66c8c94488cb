-- name: MediaInsert :exec
INSERT INTO media (origin, media_id, user_id, content_type, file_name, size, sha256,
                   created_at, uploaded_at, unused_expires_at, restricted)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11);

-- name: MediaGet :one
SELECT * FROM media WHERE origin = $1 AND media_id = $2;

-- name: MediaSetContent :execrows
-- Fills a reserved media ID with its upload; no row changes when the ID
-- already has content.
UPDATE media
SET content_type = $3, file_name = $4, size = $5, sha256 = $6, uploaded_at = $7, unused_expires_at = NULL
WHERE origin = $1 AND media_id = $2 AND sha256 IS NULL;

-- name: MediaCountPending :one
-- Counts a user's reserved media IDs still waiting for an upload.
SELECT count(*) FROM media
WHERE user_id = $1 AND sha256 IS NULL AND unused_expires_at > @now::timestamptz;

-- name: MediaUserUsage :one
-- Sums the bytes a user uploaded (duplicates count each time: quotas are
-- about what a user asked the server to keep).
SELECT coalesce(sum(size), 0)::bigint FROM media WHERE user_id = $1;

-- name: MediaLockUser :exec
-- Serializes a user's uploads until the transaction ends, so that two
-- uploads cannot both pass the quota check.
SELECT pg_advisory_xact_lock(hashtextextended('media:' || @user_id::text, 0));

-- name: ThumbnailUpsert :exec
INSERT INTO media_thumbnails (origin, media_id, width, height, method, animated,
                              actual_width, actual_height, content_type, size, sha256)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (origin, media_id, width, height, method, animated) DO UPDATE
SET actual_width = excluded.actual_width, actual_height = excluded.actual_height,
    content_type = excluded.content_type, size = excluded.size, sha256 = excluded.sha256;

-- name: ThumbnailList :many
SELECT * FROM media_thumbnails WHERE origin = $1 AND media_id = $2
ORDER BY width, height, method, animated;

-- name: PreviewGet :one
SELECT og FROM media_url_previews WHERE url = $1 AND bucket = $2;

-- name: PreviewPut :exec
INSERT INTO media_url_previews (url, bucket, og, fetched_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (url, bucket) DO UPDATE SET og = excluded.og, fetched_at = excluded.fetched_at;
