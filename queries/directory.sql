-- name: AliasDeleteOfRoom :execrows
-- The room directory's queries: Alias* and RoomJoinedServers serve
-- impl/rooms (directory.go, upgrade.go), which owns room_aliases; Summary*
-- and PublicRooms* serve impl/directory, which owns room_summaries.
-- Deletes an alias only while it still points at the room the caller was
-- allowed to delete it from.
DELETE FROM room_aliases WHERE alias = $1 AND room_id = $2;

-- name: AliasesMoveRoom :exec
-- Points every local alias of a room at its replacement (room upgrades).
UPDATE room_aliases SET room_id = @new_room_id::text WHERE room_id = @old_room_id::text;

-- name: RoomJoinedServers :many
-- The servers of a room's joined members.
SELECT DISTINCT substr(m.user_id, strpos(m.user_id, ':') + 1)::text AS server
FROM memberships m JOIN rooms r USING (room_nid)
WHERE r.room_id = $1 AND m.membership = 'join'
ORDER BY server;

-- name: SummaryStale :many
-- Rooms whose cached summary is missing or older than their current state:
-- every published room when @published, and the rooms named. The joined
-- member count is read in the same statement as the snapshot it goes with.
SELECT r.room_nid, r.room_id, r.room_version, r.current_snapshot_nid::bigint AS snapshot_nid,
    (SELECT count(*) FROM memberships m WHERE m.room_nid = r.room_nid AND m.membership = 'join')::integer AS joined_members
FROM rooms r LEFT JOIN room_summaries s ON s.room_nid = r.room_nid
WHERE ((@published::boolean AND r.published) OR r.room_id = ANY(@room_ids::text[]))
  AND r.current_snapshot_nid IS NOT NULL
  AND s.snapshot_nid IS DISTINCT FROM r.current_snapshot_nid;

-- name: SummaryState :many
-- The current state events (with the empty state key) of the given types
-- in the given rooms.
SELECT cs.room_nid, k.type, e.pdu
FROM state_keys k
JOIN current_state cs ON cs.key_nid = k.key_nid
JOIN events e ON e.event_nid = cs.event_nid
WHERE k.state_key = '' AND k.type = ANY(@types::text[]) AND cs.room_nid = ANY(@room_nids::bigint[]);

-- name: SummaryUpsert :exec
INSERT INTO room_summaries (room_nid, snapshot_nid, name, topic, canonical_alias, avatar_url, join_rule,
    history_visibility, guest_access, room_type, encryption, allowed_room_ids, joined_members)
VALUES (@room_nid, @snapshot_nid, @name, @topic, @canonical_alias, @avatar_url, @join_rule,
    @history_visibility, @guest_access, @room_type, @encryption, @allowed_room_ids, @joined_members)
ON CONFLICT (room_nid) DO UPDATE SET
    snapshot_nid = excluded.snapshot_nid, name = excluded.name, topic = excluded.topic,
    canonical_alias = excluded.canonical_alias, avatar_url = excluded.avatar_url, join_rule = excluded.join_rule,
    history_visibility = excluded.history_visibility, guest_access = excluded.guest_access,
    room_type = excluded.room_type, encryption = excluded.encryption,
    allowed_room_ids = excluded.allowed_room_ids, joined_members = excluded.joined_members
WHERE room_summaries.snapshot_nid IS DISTINCT FROM excluded.snapshot_nid;

-- name: SummaryGet :one
SELECT r.room_id, r.room_version, sqlc.embed(s)
FROM rooms r JOIN room_summaries s USING (room_nid)
WHERE r.room_id = $1;

-- name: PublicRoomsAfter :many
-- A page of the public room list: published rooms that can be joined or
-- knocked on, or read by anyone, largest first and then by room ID, after
-- the key (from the start when @from_start), filtered by a lower-case
-- search term ("" for none) and, when @by_type, by room type (@untyped for
-- rooms with none). Each row carries the size of the whole filtered list.
WITH listed AS (
    SELECT r.room_id, s.*
    FROM rooms r JOIN room_summaries s USING (room_nid)
    WHERE r.published
      AND (s.join_rule IN ('public', 'knock', 'knock_restricted') OR s.history_visibility = 'world_readable')
      AND (@search::text = '' OR strpos(lower(coalesce(s.name, '')), @search::text) > 0
           OR strpos(lower(coalesce(s.topic, '')), @search::text) > 0
           OR strpos(lower(coalesce(s.canonical_alias, '')), @search::text) > 0)
      AND (NOT @by_type::boolean OR (s.room_type IS NULL AND @untyped::boolean) OR s.room_type = ANY(@room_types::text[]))
)
SELECT l.*, (SELECT count(*) FROM listed)::integer AS total
FROM listed l
WHERE @from_start::boolean OR l.joined_members < @key_joined::integer
   OR (l.joined_members = @key_joined::integer AND l.room_id > @key_room::text)
ORDER BY l.joined_members DESC, l.room_id ASC
LIMIT @max_rows::integer;

-- name: PublicRoomsBefore :many
-- PublicRoomsAfter backwards: the rooms before the key, nearest first.
WITH listed AS (
    SELECT r.room_id, s.*
    FROM rooms r JOIN room_summaries s USING (room_nid)
    WHERE r.published
      AND (s.join_rule IN ('public', 'knock', 'knock_restricted') OR s.history_visibility = 'world_readable')
      AND (@search::text = '' OR strpos(lower(coalesce(s.name, '')), @search::text) > 0
           OR strpos(lower(coalesce(s.topic, '')), @search::text) > 0
           OR strpos(lower(coalesce(s.canonical_alias, '')), @search::text) > 0)
      AND (NOT @by_type::boolean OR (s.room_type IS NULL AND @untyped::boolean) OR s.room_type = ANY(@room_types::text[]))
)
SELECT l.*, (SELECT count(*) FROM listed)::integer AS total
FROM listed l
WHERE l.joined_members > @key_joined::integer
   OR (l.joined_members = @key_joined::integer AND l.room_id < @key_room::text)
ORDER BY l.joined_members ASC, l.room_id DESC
LIMIT @max_rows::integer;

-- name: PublicRoomsCount :one
-- How many rooms PublicRoomsAfter lists in all, with the same filter, for
-- pages past the end (whose rows cannot carry it).
SELECT count(*)::integer
FROM rooms r JOIN room_summaries s USING (room_nid)
WHERE r.published
  AND (s.join_rule IN ('public', 'knock', 'knock_restricted') OR s.history_visibility = 'world_readable')
  AND (@search::text = '' OR strpos(lower(coalesce(s.name, '')), @search::text) > 0
       OR strpos(lower(coalesce(s.topic, '')), @search::text) > 0
       OR strpos(lower(coalesce(s.canonical_alias, '')), @search::text) > 0)
  AND (NOT @by_type::boolean OR (s.room_type IS NULL AND @untyped::boolean) OR s.room_type = ANY(@room_types::text[]));
