-- name: RoomInsert :one
INSERT INTO rooms (room_id, room_version) VALUES ($1, $2) RETURNING room_nid;

-- name: RoomByID :one
SELECT * FROM rooms WHERE room_id = $1;

-- name: RoomByNID :one
SELECT * FROM rooms WHERE room_nid = $1;

-- name: RoomAdvance :exec
-- Moves the room forward after a new event: its extremities, depth,
-- current state and activity (at the transaction's stream position; bump
-- events also move the bump stamp).
UPDATE rooms SET latest_event_nids = @latest::bigint[], max_depth = greatest(max_depth, @depth::bigint),
    current_snapshot_nid = @snapshot::bigint, last_pos = currval('stream_positions'),
    bump_pos = CASE WHEN @bump::boolean THEN currval('stream_positions') ELSE bump_pos END
WHERE room_nid = @room_nid::bigint;

-- name: RoomSetPublished :execrows
UPDATE rooms SET published = $2 WHERE room_id = $1;

-- name: AppendContext :one
-- Everything the write path reads under the room lock, in one statement:
-- the room, its latest events, the auth events of the new event (from
-- current state, by key), the state entry it replaces, a transaction it
-- may repeat, and the NIDs it will be stored under.
SELECT r.room_nid, r.room_version, r.latest_event_nids, r.current_snapshot_nid, r.max_depth,
    coalesce((SELECT array_agg(p.event_id ORDER BY p.event_nid) FROM events p
              WHERE p.event_nid = ANY(r.latest_event_nids)), '{}')::text[] AS prev_event_ids,
    coalesce((SELECT s.chain_len FROM state_snapshots s WHERE s.snapshot_nid = r.current_snapshot_nid), -1)::integer AS chain_len,
    nextval(pg_get_serial_sequence('events', 'event_nid'))::bigint AS next_event_nid,
    (CASE WHEN @is_state::boolean THEN nextval(pg_get_serial_sequence('state_snapshots', 'snapshot_nid')) ELSE 0 END)::bigint AS next_snapshot_nid,
    coalesce((SELECT cs.event_nid FROM current_state cs
              WHERE cs.room_nid = r.room_nid AND cs.key_nid = @own_key_nid::bigint), 0)::bigint AS replaces_nid,
    coalesce((SELECT t.event_id FROM event_txns t
              WHERE t.user_id = @txn_user::text AND t.device_id = @txn_device::text AND t.txn_id = @txn_id::text), '')::text AS txn_event_id,
    coalesce((SELECT array_agg(e.event_id ORDER BY e.event_nid) FROM current_state cs JOIN events e ON e.event_nid = cs.event_nid
              WHERE cs.room_nid = r.room_nid AND cs.key_nid = ANY(@auth_key_nids::bigint[])), '{}')::text[] AS auth_event_ids,
    coalesce((SELECT array_agg(e.pdu ORDER BY e.event_nid) FROM current_state cs JOIN events e ON e.event_nid = cs.event_nid
              WHERE cs.room_nid = r.room_nid AND cs.key_nid = ANY(@auth_key_nids::bigint[])), '{}')::bytea[] AS auth_pdus
FROM rooms r WHERE r.room_id = @room_id::text;

-- name: EventInsert :exec
-- The stream position is the one the transaction took last (StreamAdvance).
INSERT INTO events (event_nid, event_id, room_nid, stream_pos, depth, type, state_key, sender, origin_ts, pdu,
    state_before, state_after, prev_event_nids, replaces_nid, relates_to, rel_type)
VALUES (@event_nid, @event_id, @room_nid, currval('stream_positions'), @depth, @type, @state_key, @sender, @origin_ts, @pdu,
    @state_before, @state_after, @prev_event_nids, @replaces_nid, @relates_to, @rel_type);

-- name: EventByID :one
SELECT sqlc.embed(e), r.room_id, r.room_version FROM events e JOIN rooms r USING (room_nid) WHERE e.event_id = $1;

-- name: EventsByNIDs :many
SELECT sqlc.embed(e), r.room_id, r.room_version FROM events e JOIN rooms r USING (room_nid)
WHERE e.event_nid = ANY(@nids::bigint[]);

-- name: EventIDsByNIDs :many
SELECT event_nid, event_id, depth FROM events WHERE event_nid = ANY(@nids::bigint[]);

-- name: EventRedact :exec
-- Replaces an event's bytes by their redacted form.
UPDATE events SET pdu = $2, redacted_by = $3 WHERE event_nid = $1;

-- name: EventTxnGet :one
SELECT event_id FROM event_txns WHERE user_id = $1 AND device_id = $2 AND txn_id = $3;

-- name: EventTxnInsert :exec
INSERT INTO event_txns (user_id, device_id, txn_id, event_id) VALUES ($1, $2, $3, $4);

-- name: EventTxnForEvent :one
-- The transaction ID an event was sent with, for its sender's device.
SELECT txn_id FROM event_txns WHERE event_id = $1 AND user_id = $2 AND device_id = $3;

-- name: StateKeyGet :one
SELECT key_nid FROM state_keys WHERE type = $1 AND state_key = $2;

-- name: StateKeyInsert :one
INSERT INTO state_keys (type, state_key) VALUES ($1, $2)
ON CONFLICT (type, state_key) DO NOTHING
RETURNING key_nid;

-- name: StateKeysByNIDs :many
SELECT * FROM state_keys WHERE key_nid = ANY(@nids::bigint[]);

-- name: SnapshotInsert :exec
INSERT INTO state_snapshots (snapshot_nid, room_nid, parent_nid, chain_len, entries) VALUES ($1, $2, $3, $4, $5);

-- name: SnapshotChain :many
-- A snapshot and its ancestors up to the nearest full snapshot, leaf first.
WITH RECURSIVE chain AS (
    SELECT s.snapshot_nid, s.parent_nid, s.chain_len, s.entries FROM state_snapshots s WHERE s.snapshot_nid = $1
    UNION ALL
    SELECT p.snapshot_nid, p.parent_nid, p.chain_len, p.entries
    FROM state_snapshots p JOIN chain c ON p.snapshot_nid = c.parent_nid
)
SELECT snapshot_nid, parent_nid, chain_len, entries FROM chain;

-- name: CurrentStateSet :exec
INSERT INTO current_state (room_nid, key_nid, event_nid) VALUES ($1, $2, $3)
ON CONFLICT (room_nid, key_nid) DO UPDATE SET event_nid = excluded.event_nid;

-- name: CurrentStateEventsByKeys :many
SELECT sqlc.embed(e), cs.key_nid FROM current_state cs JOIN events e ON e.event_nid = cs.event_nid
WHERE cs.room_nid = @room_nid::bigint AND cs.key_nid = ANY(@key_nids::bigint[]);

-- name: CurrentStateAll :many
SELECT cs.key_nid, cs.event_nid FROM current_state cs WHERE cs.room_nid = $1;

-- name: CurrentStateEventNID :one
SELECT cs.event_nid FROM current_state cs JOIN state_keys k ON k.key_nid = cs.key_nid
WHERE cs.room_nid = $1 AND k.type = $2 AND k.state_key = $3;

-- name: MembershipSet :exec
INSERT INTO memberships (room_nid, user_id, membership, event_nid, stream_pos, is_local, forgotten)
VALUES ($1, $2, $3, $4, currval('stream_positions'), $5, false)
ON CONFLICT (room_nid, user_id) DO UPDATE
SET membership = excluded.membership, event_nid = excluded.event_nid, stream_pos = excluded.stream_pos,
    forgotten = false;

-- name: MembershipGet :one
SELECT m.*, r.room_id FROM memberships m JOIN rooms r USING (room_nid)
WHERE r.room_id = $1 AND m.user_id = $2;

-- name: MembershipForget :execrows
UPDATE memberships SET forgotten = true
WHERE room_nid = (SELECT room_nid FROM rooms WHERE room_id = $1) AND user_id = $2
  AND membership NOT IN ('join', 'invite', 'knock');

-- name: MembershipRoomsOfUser :many
SELECT r.room_id FROM memberships m JOIN rooms r USING (room_nid)
WHERE m.user_id = $1 AND m.membership = $2 ORDER BY r.room_id;

-- name: MembershipUsersOfRoom :many
SELECT user_id, membership, event_nid FROM memberships WHERE room_nid = $1 ORDER BY user_id;

-- name: MembershipShareRoom :one
-- Whether a user is joined to any of the rooms.
SELECT EXISTS (SELECT 1 FROM memberships m JOIN rooms r USING (room_nid)
    WHERE m.user_id = $1 AND m.membership = 'join' AND r.room_id = ANY(@room_ids::text[]));

-- name: AliasInsert :one
-- Returns the alias, so that a taken one fails here, even in a pipeline.
INSERT INTO room_aliases (alias, room_id, creator) VALUES ($1, $2, $3) RETURNING alias;

-- name: AliasGet :one
SELECT * FROM room_aliases WHERE alias = $1;

-- name: AliasDelete :execrows
DELETE FROM room_aliases WHERE alias = $1;

-- name: AliasesOfRoom :many
SELECT alias FROM room_aliases WHERE room_id = $1 ORDER BY alias;

-- name: AnnotationExists :one
-- Whether a sender already reacted to an event with this key (and the
-- reaction was not redacted).
SELECT EXISTS (
    SELECT 1 FROM events e
    WHERE e.relates_to = @target::text AND e.rel_type = 'm.annotation' AND e.sender = @sender::text
      AND e.type = @type::text AND e.redacted_by IS NULL
      AND convert_from(e.pdu, 'UTF8')::jsonb -> 'content' -> 'm.relates_to' ->> 'key' = @key::text);

-- name: EventLatestAtPos :one
-- The last event of a room at or before a stream position, for "state at".
SELECT state_after FROM events
WHERE room_nid = $1 AND stream_pos <= $2 AND stream_pos IS NOT NULL
ORDER BY stream_pos DESC LIMIT 1;

-- name: MembershipEventOf :one
-- A user's current membership row with the event that set it.
SELECT m.membership, e.state_after, e.stream_pos FROM memberships m JOIN events e ON e.event_nid = m.event_nid
WHERE m.room_nid = $1 AND m.user_id = $2;

-- name: EventTxnsForEvents :many
-- The transaction IDs a device sent events with.
SELECT event_id, txn_id FROM event_txns
WHERE user_id = $1 AND device_id = $2 AND event_id = ANY(@event_ids::text[]);

-- name: EventsByIDs :many
SELECT sqlc.embed(e), r.room_id, r.room_version FROM events e JOIN rooms r USING (room_nid)
WHERE e.event_id = ANY(@event_ids::text[]);
