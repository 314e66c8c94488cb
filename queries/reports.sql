-- name: ReportInsert :one
-- Stores a user's report of an event, a room or a user (impl/reports owns
-- the reports table), for the admin API.
INSERT INTO reports (reporter, room_id, event_id, user_id, reason, score)
VALUES (@reporter, sqlc.narg(room_id), sqlc.narg(event_id), sqlc.narg(reported_user)::text, @reason, sqlc.narg(score))
RETURNING report_id;
