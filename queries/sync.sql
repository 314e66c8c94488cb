-- name: FilterInsert :one
INSERT INTO filters (user_id, filter) VALUES ($1, $2) RETURNING filter_id;

-- name: FilterGet :one
SELECT filter FROM filters WHERE user_id = $1 AND filter_id = $2;

-- name: SyncMemberships :many
-- Every room a user has a membership in, with what /sync needs of it.
SELECT r.room_id, r.room_nid, r.room_version, r.current_snapshot_nid,
       m.membership, m.stream_pos, m.event_nid, m.forgotten
FROM memberships m JOIN rooms r USING (room_nid)
WHERE m.user_id = $1;

-- name: SyncActiveRooms :many
-- The rooms among room_nids with events in (since, upto].
SELECT DISTINCT room_nid FROM events
WHERE stream_pos > @since::bigint AND stream_pos <= @upto::bigint AND room_nid = ANY(@room_nids::bigint[]);

-- name: SyncTimelines :many
-- The newest events of each room in (since, upto], at most lim a room,
-- newest first. upto is per room (a left room stops at the leave).
SELECT e.event_nid, e.event_id, e.room_nid, e.stream_pos, e.depth, e.type, e.state_key, e.sender, e.origin_ts, e.pdu,
       e.state_before, e.state_after, e.prev_event_nids, e.replaces_nid, e.relates_to, e.rel_type, e.redacted_by,
       e.rejected, e.soft_failed
FROM unnest(@room_nids::bigint[]) WITH ORDINALITY AS w(room_nid, i)
CROSS JOIN LATERAL (
    SELECT * FROM events x
    WHERE x.room_nid = w.room_nid AND x.stream_pos > @since::bigint AND x.stream_pos <= (@uptos::bigint[])[w.i]
    ORDER BY x.stream_pos DESC LIMIT @lim::integer
) e;

-- name: SyncMemberCounts :many
SELECT room_nid,
       count(*) FILTER (WHERE membership = 'join')::bigint AS joined,
       count(*) FILTER (WHERE membership = 'invite')::bigint AS invited
FROM memberships WHERE room_nid = ANY(@room_nids::bigint[]) GROUP BY room_nid;

-- name: SyncHeroes :many
-- Up to five members of each room, joined or invited, other than the user,
-- in the order they came.
SELECT w.room_nid::bigint AS room_nid, h.user_id
FROM unnest(@room_nids::bigint[]) AS w(room_nid)
CROSS JOIN LATERAL (
    SELECT m.user_id FROM memberships m
    WHERE m.room_nid = w.room_nid AND m.membership IN ('join', 'invite') AND m.user_id <> @user_id::text
    ORDER BY m.stream_pos LIMIT 5
) h;
