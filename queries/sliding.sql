-- name: SlidingConnExpire :exec
-- Forgets the connection if it went unused for longer than its lifetime
-- (before the periodic sweep got to it): its pos is unknown from then on.
DELETE FROM sliding_conns
WHERE user_id = @user_id AND device_id = @device_id AND conn_id = @conn_id AND used_at < @before::timestamptz;

-- name: SlidingConnInsert :one
INSERT INTO sliding_conns (user_id, device_id, conn_id) VALUES ($1, $2, $3)
ON CONFLICT (user_id, device_id, conn_id) DO UPDATE SET used_at = now()
RETURNING *;

-- name: SlidingRoomsClear :exec
-- A connection starting again (no pos) forgets what it was sent.
DELETE FROM sliding_rooms sr WHERE sr.conn_nid = @conn_nid::bigint;

-- name: SlidingPositionsClear :exec
-- Drops a connection's unconfirmed responses.
DELETE FROM sliding_positions sp WHERE sp.conn_nid = @conn_nid::bigint;

-- name: SlidingConfirmed :exec
UPDATE sliding_conns SET confirmed_pos = @pos_nid::bigint, confirmed_stream_pos = @stream_pos::bigint, used_at = now()
WHERE conn_nid = @conn_nid::bigint;

-- name: SlidingPosGet :one
SELECT * FROM sliding_positions WHERE pos_nid = $1;

-- name: SlidingPosInsert :one
INSERT INTO sliding_positions (conn_nid, stream_pos, delta) VALUES ($1, $2, $3) RETURNING pos_nid;

-- name: SlidingRoomsUpsert :exec
-- Records what a confirmed response sent of rooms.
INSERT INTO sliding_rooms (conn_nid, room_id, sent_pos, timeline_limit, config_key, stripped)
SELECT @conn_nid::bigint, w.room_id, (@sent_pos::bigint[])[w.i], (@timeline_limit::integer[])[w.i], (@config_key::text[])[w.i],
       (@stripped::boolean[])[w.i]
FROM unnest(@room_ids::text[]) WITH ORDINALITY AS w(room_id, i)
ON CONFLICT (conn_nid, room_id) DO UPDATE
SET sent_pos = excluded.sent_pos, timeline_limit = excluded.timeline_limit, config_key = excluded.config_key,
    stripped = excluded.stripped;

-- name: SlidingRooms :many
SELECT room_id, sent_pos, timeline_limit, config_key, stripped FROM sliding_rooms WHERE conn_nid = $1;

-- name: SlidingExpire :execrows
-- Connections unused for a while are forgotten; their clients start again.
DELETE FROM sliding_conns WHERE used_at < @before::timestamptz;

-- name: SlidingRoomList :many
-- Every room of the user's with what the room list sorts and filters by:
-- the room's cached summary (impl/directory), stale when its snapshot is
-- not the room's current one.
SELECT r.room_id, r.room_nid, r.room_version, r.current_snapshot_nid, r.last_pos, r.bump_pos,
       m.membership, m.stream_pos AS membership_pos, e.sender AS membership_sender,
       s.snapshot_nid IS DISTINCT FROM r.current_snapshot_nid AS stale,
       s.name, s.avatar_url, s.canonical_alias, s.room_type, s.encryption
FROM memberships m
JOIN rooms r ON r.room_nid = m.room_nid
JOIN events e ON e.event_nid = m.event_nid
LEFT JOIN room_summaries s ON s.room_nid = r.room_nid
WHERE m.user_id = $1 AND NOT m.forgotten;

-- name: SlidingSpaceChildren :many
-- The children the given spaces list in their current state.
SELECT k.state_key AS child
FROM rooms r
JOIN current_state cs ON cs.room_nid = r.room_nid
JOIN state_keys k ON k.key_nid = cs.key_nid AND k.type = 'm.space.child'
JOIN events e ON e.event_nid = cs.event_nid
WHERE r.room_id = ANY(@space_ids::text[])
  AND convert_from(e.pdu, 'UTF8')::jsonb -> 'content' ? 'via';

-- name: SlidingHeroes :many
-- Up to six members of each room (joined first, then invited, then the
-- rest, in the order they came), with their member event content.
SELECT w.room_nid::bigint AS room_nid, h.user_id, h.membership, h.pdu
FROM unnest(@room_nids::bigint[]) AS w(room_nid)
CROSS JOIN LATERAL (
    SELECT m.user_id, m.membership, e.pdu FROM memberships m JOIN events e ON e.event_nid = m.event_nid
    WHERE m.room_nid = w.room_nid AND m.user_id <> @user_id::text AND m.membership IN ('join', 'invite', 'leave')
    ORDER BY (m.membership = 'join') DESC, (m.membership = 'invite') DESC, m.stream_pos
    LIMIT 6
) h;

-- name: SlidingTimelines :many
-- The newest events of each room in (since, upto] (both per room), at most
-- lim a room (per room too), newest first.
SELECT e.event_nid, e.event_id, e.room_nid, e.stream_pos, e.depth, e.type, e.state_key, e.sender, e.origin_ts, e.pdu,
       e.state_before, e.state_after, e.prev_event_nids, e.replaces_nid, e.relates_to, e.rel_type, e.redacted_by,
       e.rejected, e.soft_failed
FROM unnest(@room_nids::bigint[]) WITH ORDINALITY AS w(room_nid, i)
CROSS JOIN LATERAL (
    SELECT * FROM events x
    WHERE x.room_nid = w.room_nid
      AND x.stream_pos > (@sinces::bigint[])[w.i] AND x.stream_pos <= (@uptos::bigint[])[w.i]
    ORDER BY x.stream_pos DESC LIMIT (@lims::integer[])[w.i]
) e;
