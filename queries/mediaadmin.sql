-- What server admins do with media (impl/media/admin.go owns these):
-- list a user's uploads, delete and quarantine media, usage per user.

-- name: MediaListByUser :many
SELECT m.*, count(*) OVER () AS total FROM media m
WHERE m.origin = @origin AND m.user_id = @user_id
ORDER BY
    CASE WHEN @descending::boolean THEN NULL ELSE CASE @order_by::text
        WHEN 'media_id' THEN m.media_id WHEN 'upload_name' THEN m.file_name WHEN 'media_type' THEN m.content_type
        WHEN 'quarantined_by' THEN m.quarantined_by END END ASC,
    CASE WHEN @descending::boolean THEN CASE @order_by::text
        WHEN 'media_id' THEN m.media_id WHEN 'upload_name' THEN m.file_name WHEN 'media_type' THEN m.content_type
        WHEN 'quarantined_by' THEN m.quarantined_by END END DESC,
    CASE WHEN @descending::boolean THEN NULL ELSE CASE @order_by::text WHEN 'media_length' THEN m.size END END ASC,
    CASE WHEN @descending::boolean THEN CASE @order_by::text WHEN 'media_length' THEN m.size END END DESC,
    CASE WHEN @descending::boolean THEN NULL ELSE m.created_at END ASC,
    CASE WHEN @descending::boolean THEN m.created_at END DESC,
    m.media_id
LIMIT @lim OFFSET @off;

-- name: MediaDelete :one
-- Deletes a media row (its thumbnails go with it) and returns the hashes
-- of the content it and its thumbnails used.
WITH thumbs AS (
    SELECT t.sha256 FROM media_thumbnails t WHERE t.origin = @origin AND t.media_id = @media_id
), gone AS (
    DELETE FROM media m WHERE m.origin = @origin AND m.media_id = @media_id RETURNING m.sha256
)
SELECT (SELECT array_agg(h) FROM (SELECT g.sha256 AS h FROM gone g WHERE g.sha256 IS NOT NULL
                                  UNION SELECT sha256 FROM thumbs) x)::text[] AS hashes,
       (SELECT count(*) FROM gone) AS deleted;

-- name: MediaHashesInUse :many
-- Which of the hashes some media or thumbnail still uses.
SELECT DISTINCT h::text FROM unnest(@hashes::text[]) AS h
WHERE EXISTS (SELECT 1 FROM media m WHERE m.sha256 = h)
   OR EXISTS (SELECT 1 FROM media_thumbnails t WHERE t.sha256 = h);

-- name: MediaSetQuarantined :execrows
UPDATE media SET quarantined_by = sqlc.narg(quarantined_by) WHERE origin = @origin AND media_id = @media_id;

-- name: MediaUsageByUser :many
-- Local uploads per user, for Synapse's users' media statistics.
SELECT m.user_id, count(*) AS media_count, coalesce(sum(m.size), 0)::bigint AS media_length,
    count(*) OVER () AS total
FROM media m
WHERE m.origin = @origin AND m.user_id <> ''
  AND (@search::text = '' OR m.user_id ILIKE like_contains(@search::text))
GROUP BY m.user_id
ORDER BY
    CASE WHEN @descending::boolean THEN NULL ELSE CASE @order_by::text
        WHEN 'media_length' THEN coalesce(sum(m.size), 0) WHEN 'media_count' THEN count(*) END END ASC,
    CASE WHEN @descending::boolean THEN CASE @order_by::text
        WHEN 'media_length' THEN coalesce(sum(m.size), 0) WHEN 'media_count' THEN count(*) END END DESC,
    CASE WHEN @descending::boolean THEN NULL ELSE m.user_id END ASC,
    CASE WHEN @descending::boolean THEN m.user_id END DESC
LIMIT @lim OFFSET @off;
