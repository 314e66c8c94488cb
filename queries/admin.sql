-- impl/admin owns these: its own tables (the audit log, blocked rooms, room
-- deletions, server notice rooms) and the read-only listings and counts
-- the admin API shows across other domains' tables. Writes to those tables
-- go through their owners (impl/accounts, impl/media, impl/rooms, ...).

-- name: AuditInsert :exec
INSERT INTO admin_audit_log (actor, action, target, details, created_at)
VALUES (@actor, @action, @target, @details, @created_at);

-- name: AuditList :many
-- Newest first; total counts every entry the filters keep.
SELECT audit_id, actor, action, target, details, created_at, count(*) OVER () AS total
FROM admin_audit_log
WHERE (@actor::text = '' OR actor = @actor::text)
  AND (@action::text = '' OR action = @action::text)
  AND (@target::text = '' OR target = @target::text)
ORDER BY audit_id DESC
LIMIT @lim OFFSET @off;

-- name: BlockedRoomGet :one
SELECT * FROM blocked_rooms WHERE room_id = $1;

-- name: BlockedRoomExists :one
SELECT EXISTS (SELECT 1 FROM blocked_rooms WHERE room_id = $1);

-- name: BlockedRoomInsert :exec
INSERT INTO blocked_rooms (room_id, blocked_by) VALUES ($1, $2)
ON CONFLICT (room_id) DO NOTHING;

-- name: BlockedRoomDelete :exec
DELETE FROM blocked_rooms WHERE room_id = $1;

-- name: RoomDeletionInsert :exec
INSERT INTO room_deletions (delete_id, room_id, requested_by, params) VALUES ($1, $2, $3, $4);

-- name: RoomDeletionGet :one
SELECT * FROM room_deletions WHERE delete_id = $1;

-- name: RoomDeletionsOfRoom :many
SELECT * FROM room_deletions WHERE room_id = $1 ORDER BY created_at, delete_id;

-- name: RoomDeletionUpdate :exec
UPDATE room_deletions SET status = @status, error = @error, result = @result, updated_at = now()
WHERE delete_id = @delete_id;

-- name: ServerNoticeRoomGet :one
SELECT room_id FROM server_notice_rooms WHERE user_id = $1;

-- name: ServerNoticeRoomSet :exec
INSERT INTO server_notice_rooms (user_id, room_id) VALUES ($1, $2)
ON CONFLICT (user_id) DO UPDATE SET room_id = excluded.room_id, created_at = now();

-- name: AdminUserList :many
-- The admin user list (Synapse's GET /_synapse/admin/v2/users): filtered,
-- ordered by one of Synapse's columns (last seen aside: see
-- AdminUserListByLastSeen) with the user ID breaking ties, and paged by
-- offset. The page is cut first; last-seen times are read for its rows
-- only.
SELECT p.user_id, p.is_admin, p.is_guest, p.user_type, p.deactivated_at, p.erased, p.locked, p.suspended, p.created_at,
    coalesce((SELECT (extract(epoch FROM max(d.last_seen_at)) * 1000)::bigint FROM devices d
              WHERE d.user_id = p.user_id), 0)::bigint AS last_seen_ms,
    p.total
FROM (
    SELECT u.user_id, u.is_admin, u.is_guest, u.user_type, u.deactivated_at, u.erased, u.locked, u.suspended,
        u.created_at, count(*) OVER () AS total,
        row_number() OVER (ORDER BY
            CASE WHEN @descending::boolean THEN NULL ELSE CASE @order_by::text
                WHEN 'is_guest' THEN u.is_guest::int WHEN 'admin' THEN u.is_admin::int
                WHEN 'deactivated' THEN (u.deactivated_at IS NOT NULL)::int
                WHEN 'locked' THEN u.locked::int WHEN 'suspended' THEN u.suspended::int END END ASC,
            CASE WHEN @descending::boolean THEN CASE @order_by::text
                WHEN 'is_guest' THEN u.is_guest::int WHEN 'admin' THEN u.is_admin::int
                WHEN 'deactivated' THEN (u.deactivated_at IS NOT NULL)::int
                WHEN 'locked' THEN u.locked::int WHEN 'suspended' THEN u.suspended::int END END DESC,
            CASE WHEN @descending::boolean THEN NULL ELSE CASE @order_by::text WHEN 'creation_ts' THEN u.created_at END END ASC,
            CASE WHEN @descending::boolean THEN CASE @order_by::text WHEN 'creation_ts' THEN u.created_at END END DESC,
            CASE WHEN @descending::boolean THEN NULL ELSE CASE @order_by::text WHEN 'user_type' THEN u.user_type END END ASC,
            CASE WHEN @descending::boolean THEN CASE @order_by::text WHEN 'user_type' THEN u.user_type END END DESC,
            CASE WHEN @descending::boolean THEN NULL ELSE u.user_id END COLLATE "C" ASC,
            CASE WHEN @descending::boolean THEN u.user_id END COLLATE "C" DESC) AS pos
    FROM users u
    WHERE (@search::text = '' OR u.user_id ILIKE like_contains(@search::text))
      AND (@guests::boolean OR NOT u.is_guest)
      AND (sqlc.narg(admins)::boolean IS NULL OR u.is_admin = sqlc.narg(admins)::boolean)
      AND (sqlc.narg(deactivated)::boolean IS NULL OR (u.deactivated_at IS NOT NULL) = sqlc.narg(deactivated)::boolean)
      AND (sqlc.narg(locked)::boolean IS NULL OR u.locked = sqlc.narg(locked)::boolean)
      AND (sqlc.narg(suspended)::boolean IS NULL OR u.suspended = sqlc.narg(suspended)::boolean)
    ORDER BY pos
    LIMIT @lim OFFSET @off
) p
ORDER BY p.pos;

-- name: AdminUserListByName :many
-- AdminUserList in its default order, user IDs ascending: read in the
-- primary key's order, with no sort, last-seen times for the page only
-- (outside the subquery: rows OFFSET skips are computed too). AdminUserCount
-- counts the users it filters.
SELECT p.user_id, p.is_admin, p.is_guest, p.user_type, p.deactivated_at, p.erased, p.locked, p.suspended, p.created_at,
    coalesce((SELECT (extract(epoch FROM max(d.last_seen_at)) * 1000)::bigint FROM devices d
              WHERE d.user_id = p.user_id), 0)::bigint AS last_seen_ms
FROM (
    SELECT u.user_id, u.is_admin, u.is_guest, u.user_type, u.deactivated_at, u.erased, u.locked, u.suspended, u.created_at
    FROM users u
    WHERE (@search::text = '' OR u.user_id ILIKE like_contains(@search::text))
      AND (@guests::boolean OR NOT u.is_guest)
      AND (sqlc.narg(admins)::boolean IS NULL OR u.is_admin = sqlc.narg(admins)::boolean)
      AND (sqlc.narg(deactivated)::boolean IS NULL OR (u.deactivated_at IS NOT NULL) = sqlc.narg(deactivated)::boolean)
      AND (sqlc.narg(locked)::boolean IS NULL OR u.locked = sqlc.narg(locked)::boolean)
      AND (sqlc.narg(suspended)::boolean IS NULL OR u.suspended = sqlc.narg(suspended)::boolean)
    ORDER BY u.user_id
    LIMIT @lim OFFSET @off
) p
ORDER BY p.user_id;

-- name: AdminUserCount :one
SELECT count(*) FROM users u
WHERE (@search::text = '' OR u.user_id ILIKE like_contains(@search::text))
  AND (@guests::boolean OR NOT u.is_guest)
  AND (sqlc.narg(admins)::boolean IS NULL OR u.is_admin = sqlc.narg(admins)::boolean)
  AND (sqlc.narg(deactivated)::boolean IS NULL OR (u.deactivated_at IS NOT NULL) = sqlc.narg(deactivated)::boolean)
  AND (sqlc.narg(locked)::boolean IS NULL OR u.locked = sqlc.narg(locked)::boolean)
  AND (sqlc.narg(suspended)::boolean IS NULL OR u.suspended = sqlc.narg(suspended)::boolean);

-- name: AdminUserListByLastSeen :many
-- AdminUserList ordered by last seen time: every user's, from one
-- aggregate of the devices.
SELECT u.user_id, u.is_admin, u.is_guest, u.user_type, u.deactivated_at, u.erased, u.locked, u.suspended,
    u.created_at, coalesce((extract(epoch FROM ls.last_seen_at) * 1000)::bigint, 0)::bigint AS last_seen_ms,
    count(*) OVER () AS total
FROM users u
LEFT JOIN (SELECT d.user_id, max(d.last_seen_at) AS last_seen_at FROM devices d GROUP BY d.user_id) ls
    ON ls.user_id = u.user_id
WHERE (@search::text = '' OR u.user_id ILIKE like_contains(@search::text))
  AND (@guests::boolean OR NOT u.is_guest)
  AND (sqlc.narg(admins)::boolean IS NULL OR u.is_admin = sqlc.narg(admins)::boolean)
  AND (sqlc.narg(deactivated)::boolean IS NULL OR (u.deactivated_at IS NOT NULL) = sqlc.narg(deactivated)::boolean)
  AND (sqlc.narg(locked)::boolean IS NULL OR u.locked = sqlc.narg(locked)::boolean)
  AND (sqlc.narg(suspended)::boolean IS NULL OR u.suspended = sqlc.narg(suspended)::boolean)
ORDER BY
    CASE WHEN @descending::boolean THEN NULL ELSE ls.last_seen_at END ASC NULLS FIRST,
    CASE WHEN @descending::boolean THEN ls.last_seen_at END DESC NULLS LAST,
    CASE WHEN @descending::boolean THEN NULL ELSE u.user_id END COLLATE "C" ASC,
    CASE WHEN @descending::boolean THEN u.user_id END COLLATE "C" DESC
LIMIT @lim OFFSET @off;

-- name: AdminRoomList :many
-- The admin room list (Synapse's GET /_synapse/admin/v1/rooms), over the
-- directory's room summaries (brought up to date first), ordered by one of
-- the room's or summary's columns (the counts and the creator aside: see
-- AdminRoomListByCount). The page is cut first; counts and the create
-- event are read for its rows only.
SELECT p.room_nid, p.room_id, p.room_version, p.published, p.name, p.canonical_alias, p.join_rule, p.guest_access,
    p.history_visibility, p.encryption, p.room_type, p.joined_members,
    (SELECT count(*) FROM memberships m WHERE m.room_nid = p.room_nid AND m.membership = 'join' AND m.is_local)::integer AS joined_local_members,
    (SELECT count(*) FROM current_state c WHERE c.room_nid = p.room_nid)::integer AS state_events,
    (SELECT e.pdu FROM current_state c JOIN state_keys k ON k.key_nid = c.key_nid JOIN events e ON e.event_nid = c.event_nid
     WHERE c.room_nid = p.room_nid AND k.type = 'm.room.create' AND k.state_key = '')::bytea AS create_pdu,
    p.total
FROM (
    SELECT r.room_nid, r.room_id, r.room_version, r.published, s.name, s.canonical_alias, s.join_rule, s.guest_access,
        s.history_visibility, s.encryption, s.room_type, coalesce(s.joined_members, 0)::integer AS joined_members,
        count(*) OVER () AS total,
        row_number() OVER (ORDER BY
            CASE WHEN @descending::boolean THEN NULL ELSE CASE @order_by::text
                WHEN 'joined_members' THEN coalesce(s.joined_members, 0) WHEN 'public' THEN r.published::int END END ASC,
            CASE WHEN @descending::boolean THEN CASE @order_by::text
                WHEN 'joined_members' THEN coalesce(s.joined_members, 0) WHEN 'public' THEN r.published::int END END DESC,
            CASE WHEN @descending::boolean THEN NULL ELSE CASE @order_by::text
                WHEN 'name' THEN s.name WHEN 'canonical_alias' THEN s.canonical_alias WHEN 'version' THEN r.room_version
                WHEN 'encryption' THEN s.encryption WHEN 'join_rules' THEN s.join_rule WHEN 'guest_access' THEN s.guest_access
                WHEN 'history_visibility' THEN s.history_visibility END END ASC,
            CASE WHEN @descending::boolean THEN CASE @order_by::text
                WHEN 'name' THEN s.name WHEN 'canonical_alias' THEN s.canonical_alias WHEN 'version' THEN r.room_version
                WHEN 'encryption' THEN s.encryption WHEN 'join_rules' THEN s.join_rule WHEN 'guest_access' THEN s.guest_access
                WHEN 'history_visibility' THEN s.history_visibility END END DESC,
            CASE WHEN @descending::boolean THEN NULL ELSE r.room_id END COLLATE "C" ASC,
            CASE WHEN @descending::boolean THEN r.room_id END COLLATE "C" DESC) AS pos
    FROM rooms r LEFT JOIN room_summaries s ON s.room_nid = r.room_nid
    WHERE (@search::text = '' OR r.room_id ILIKE like_contains(@search::text)
           OR s.name ILIKE like_contains(@search::text) OR s.canonical_alias ILIKE like_contains(@search::text))
      AND (sqlc.narg(public)::boolean IS NULL OR r.published = sqlc.narg(public)::boolean)
      AND (sqlc.narg(empty)::boolean IS NULL OR (coalesce(s.joined_members, 0) = 0) = sqlc.narg(empty)::boolean)
    ORDER BY pos
    LIMIT @lim OFFSET @off
) p
ORDER BY p.pos;

-- name: AdminRoomListByCount :many
-- AdminRoomList ordered by local members, state events or creator: those
-- of every room, from aggregates.
SELECT r.room_nid, r.room_id, r.room_version, r.published, s.name, s.canonical_alias, s.join_rule, s.guest_access,
    s.history_visibility, s.encryption, s.room_type, coalesce(s.joined_members, 0)::integer AS joined_members,
    coalesce(lm.n, 0)::integer AS joined_local_members, coalesce(cs.n, 0)::integer AS state_events,
    cr.pdu AS create_pdu, count(*) OVER () AS total
FROM rooms r
LEFT JOIN room_summaries s ON s.room_nid = r.room_nid
LEFT JOIN (SELECT m.room_nid, count(*) AS n FROM memberships m WHERE m.membership = 'join' AND m.is_local
           GROUP BY m.room_nid) lm ON lm.room_nid = r.room_nid
LEFT JOIN (SELECT c.room_nid, count(*) AS n FROM current_state c GROUP BY c.room_nid) cs ON cs.room_nid = r.room_nid
LEFT JOIN (SELECT c.room_nid, e.sender, e.pdu FROM current_state c JOIN state_keys k ON k.key_nid = c.key_nid
           JOIN events e ON e.event_nid = c.event_nid WHERE k.type = 'm.room.create' AND k.state_key = '') cr
    ON cr.room_nid = r.room_nid
WHERE (@search::text = '' OR r.room_id ILIKE like_contains(@search::text)
       OR s.name ILIKE like_contains(@search::text) OR s.canonical_alias ILIKE like_contains(@search::text))
  AND (sqlc.narg(public)::boolean IS NULL OR r.published = sqlc.narg(public)::boolean)
  AND (sqlc.narg(empty)::boolean IS NULL OR (coalesce(s.joined_members, 0) = 0) = sqlc.narg(empty)::boolean)
ORDER BY
    CASE WHEN @descending::boolean THEN NULL ELSE CASE @order_by::text
        WHEN 'joined_local_members' THEN coalesce(lm.n, 0) WHEN 'state_events' THEN coalesce(cs.n, 0) END END ASC,
    CASE WHEN @descending::boolean THEN CASE @order_by::text
        WHEN 'joined_local_members' THEN coalesce(lm.n, 0) WHEN 'state_events' THEN coalesce(cs.n, 0) END END DESC,
    CASE WHEN @descending::boolean THEN NULL ELSE CASE @order_by::text WHEN 'creator' THEN cr.sender END END ASC,
    CASE WHEN @descending::boolean THEN CASE @order_by::text WHEN 'creator' THEN cr.sender END END DESC,
    CASE WHEN @descending::boolean THEN NULL ELSE r.room_id END COLLATE "C" ASC,
    CASE WHEN @descending::boolean THEN r.room_id END COLLATE "C" DESC
LIMIT @lim OFFSET @off;

-- name: AdminRoomGet :one
-- One room as the admin room list shows it, with what its details add.
SELECT r.room_nid, r.room_id, r.room_version, r.published, r.current_snapshot_nid,
    s.name, s.topic, s.avatar_url, s.canonical_alias, s.join_rule, s.guest_access, s.history_visibility,
    s.encryption, s.room_type,
    coalesce(s.joined_members, 0)::integer AS joined_members,
    (SELECT count(*) FROM memberships m WHERE m.room_nid = r.room_nid AND m.membership = 'join' AND m.is_local)::integer AS joined_local_members,
    (SELECT count(*) FROM devices d JOIN memberships m ON m.user_id = d.user_id
     WHERE m.room_nid = r.room_nid AND m.membership = 'join' AND m.is_local)::integer AS joined_local_devices,
    (SELECT count(*) FROM current_state c WHERE c.room_nid = r.room_nid)::integer AS state_events,
    (SELECT e.pdu FROM current_state c JOIN state_keys k ON k.key_nid = c.key_nid JOIN events e ON e.event_nid = c.event_nid
     WHERE c.room_nid = r.room_nid AND k.type = 'm.room.create' AND k.state_key = '')::bytea AS create_pdu,
    EXISTS (SELECT 1 FROM blocked_rooms b WHERE b.room_id = r.room_id) AS blocked
FROM rooms r LEFT JOIN room_summaries s ON s.room_nid = r.room_nid
WHERE r.room_id = $1;

-- name: AdminRoomsStaleSummaries :many
-- Rooms whose directory summary is missing or older than their state.
SELECT r.room_id FROM rooms r LEFT JOIN room_summaries s ON s.room_nid = r.room_nid
WHERE r.current_snapshot_nid IS NOT NULL AND s.snapshot_nid IS DISTINCT FROM r.current_snapshot_nid;

-- name: AdminRoomMembers :many
SELECT m.user_id FROM memberships m JOIN rooms r ON r.room_nid = m.room_nid
WHERE r.room_id = $1 AND m.membership = 'join'
ORDER BY m.user_id;

-- name: AdminRoomLocalMembers :many
-- The local users joined to, invited to or knocking on a room: those a
-- room deletion makes leave.
SELECT m.user_id, m.membership FROM memberships m JOIN rooms r ON r.room_nid = m.room_nid
WHERE r.room_id = $1 AND m.is_local AND m.membership IN ('join', 'invite', 'knock')
ORDER BY m.user_id;

-- name: AdminOverviewCounts :one
SELECT
    (SELECT count(*) FROM users) AS users,
    (SELECT count(*) FROM users WHERE deactivated_at IS NULL) AS active_users,
    (SELECT count(*) FROM users WHERE is_admin) AS admins,
    (SELECT count(*) FROM users WHERE is_guest) AS guests,
    (SELECT count(*) FROM users WHERE deactivated_at IS NOT NULL) AS deactivated,
    (SELECT count(*) FROM users WHERE locked) AS locked,
    (SELECT count(*) FROM users WHERE suspended) AS suspended,
    (SELECT count(*) FROM rooms) AS rooms,
    (SELECT count(*) FROM rooms WHERE published) AS public_rooms,
    (SELECT count(*) FROM blocked_rooms) AS blocked_rooms,
    (SELECT count(*) FROM events) AS events,
    (SELECT count(*) FROM media WHERE sha256 IS NOT NULL) AS media,
    (SELECT coalesce(sum(size), 0) FROM media)::bigint AS media_bytes,
    (SELECT count(*) FROM reports) AS reports,
    pg_database_size(current_database()) AS database_bytes;

-- name: AdminDailyRegistrations :many
SELECT date_trunc('day', created_at, 'UTC')::timestamptz AS day, count(*) AS n
FROM users WHERE created_at >= @since::timestamptz GROUP BY 1;

-- name: AdminDailyRooms :many
SELECT date_trunc('day', created_at, 'UTC')::timestamptz AS day, count(*) AS n
FROM rooms WHERE created_at >= @since::timestamptz GROUP BY 1;

-- name: AdminDailyEvents :many
SELECT date_trunc('day', to_timestamp(origin_ts / 1000.0), 'UTC')::timestamptz AS day, count(*) AS n
FROM events WHERE origin_ts >= @since_ms::bigint AND stream_pos IS NOT NULL GROUP BY 1;

-- name: AdminDailyMedia :many
SELECT date_trunc('day', created_at, 'UTC')::timestamptz AS day, coalesce(sum(size), 0)::bigint AS n
FROM media WHERE created_at >= @since::timestamptz AND origin = @origin::text GROUP BY 1;
