-- name: EventReportList :many
-- Reports of events (impl/reports/admin.go owns these), with the room's
-- name and alias and the event's sender where this server has them.
SELECT rp.report_id, rp.reporter, coalesce(rp.room_id, '') AS room_id, coalesce(rp.event_id, '') AS event_id, rp.reason, rp.score,
    rp.created_at, s.name, s.canonical_alias, coalesce(e.sender, '') AS sender, count(*) OVER () AS total
FROM reports rp
LEFT JOIN events e ON e.event_id = rp.event_id
LEFT JOIN rooms r ON r.room_id = rp.room_id
LEFT JOIN room_summaries s ON s.room_nid = r.room_nid
WHERE rp.event_id IS NOT NULL
  AND (@reporter::text = '' OR rp.reporter ILIKE like_contains(@reporter::text))
  AND (@room::text = '' OR rp.room_id ILIKE like_contains(@room::text))
  AND (@sender::text = '' OR e.sender = @sender::text)
ORDER BY
    CASE WHEN @descending::boolean THEN NULL ELSE rp.report_id END ASC,
    CASE WHEN @descending::boolean THEN rp.report_id END DESC
LIMIT @lim OFFSET @off;

-- name: EventReportGet :one
SELECT rp.report_id, rp.reporter, coalesce(rp.room_id, '') AS room_id, coalesce(rp.event_id, '') AS event_id, rp.reason, rp.score,
    rp.created_at, s.name, s.canonical_alias, coalesce(e.sender, '') AS sender, e.pdu
FROM reports rp
LEFT JOIN events e ON e.event_id = rp.event_id
LEFT JOIN rooms r ON r.room_id = rp.room_id
LEFT JOIN room_summaries s ON s.room_nid = r.room_nid
WHERE rp.report_id = $1 AND rp.event_id IS NOT NULL;

-- name: EventReportDelete :execrows
DELETE FROM reports WHERE report_id = $1 AND event_id IS NOT NULL;
