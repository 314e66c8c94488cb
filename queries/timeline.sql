-- Reads of room history for clients (impl/rooms/timeline): pagination,
-- context, relations, threads, bundled aggregations. Every query reads
-- only events in the timeline (with a stream position), never rejected or
-- soft-failed ones, and none past @until: the last position the reader
-- may see (their leave), the greatest bigint when they may see all.
-- Where another index finds the rows, @until is compared to
-- "stream_pos + 0", so that the planner does not AND a bitmap of the
-- stream_pos index (nearly every row, when nothing is bounded) into it.

-- name: TimelineAccess :one
-- A room and the reader's membership of it, in one read: the membership,
-- the stream position it took effect at, the state after it, and, for a
-- leave or ban, the membership it replaced (to tell a leave that followed
-- a join). Membership columns are empty when the reader has none.
SELECT r.room_nid, r.room_version, r.current_snapshot_nid,
    coalesce(m.membership, '')::text AS membership, coalesce(m.stream_pos, 0)::bigint AS membership_pos,
    e.state_after AS membership_state_after,
    coalesce(CASE WHEN m.membership IN ('leave', 'ban')
        THEN convert_from(p.pdu, 'UTF8')::jsonb -> 'content' ->> 'membership' END, '')::text AS prev_membership
FROM rooms r
LEFT JOIN memberships m ON m.room_nid = r.room_nid AND m.user_id = @user_id
LEFT JOIN events e ON e.event_nid = m.event_nid
LEFT JOIN events p ON p.event_nid = e.replaces_nid
WHERE r.room_id = @room_id::text;

-- name: TimelineBackward :many
-- A room's events at or before @from_pos and after @to_pos, newest first,
-- along the events_room_stream index, with the type and sender parts of a
-- filter (types are LIKE patterns; the flags tell an absent list from an
-- empty one).
SELECT * FROM events e
WHERE e.room_nid = @room_nid::bigint AND e.stream_pos <= @from_pos::bigint AND e.stream_pos > @to_pos::bigint
  AND NOT e.rejected AND NOT e.soft_failed
  AND (NOT @filter_types::boolean OR e.type LIKE ANY (@types::text[]))
  AND NOT (e.type LIKE ANY (@not_types::text[]))
  AND (NOT @filter_senders::boolean OR e.sender = ANY (@senders::text[]))
  AND NOT (e.sender = ANY (@not_senders::text[]))
ORDER BY e.stream_pos DESC
LIMIT @lim::int;

-- name: TimelineForward :many
-- A room's events after @from_pos and at or before @to_pos, oldest first;
-- as TimelineBackward otherwise.
SELECT * FROM events e
WHERE e.room_nid = @room_nid::bigint AND e.stream_pos > @from_pos::bigint AND e.stream_pos <= @to_pos::bigint
  AND NOT e.rejected AND NOT e.soft_failed
  AND (NOT @filter_types::boolean OR e.type LIKE ANY (@types::text[]))
  AND NOT (e.type LIKE ANY (@not_types::text[]))
  AND (NOT @filter_senders::boolean OR e.sender = ANY (@senders::text[]))
  AND NOT (e.sender = ANY (@not_senders::text[]))
ORDER BY e.stream_pos
LIMIT @lim::int;

-- name: TimelineByTSForward :many
-- A room's events from a timestamp on, in (origin_server_ts, stream
-- position) order after the cursor (@ts, @pos).
SELECT * FROM events e
WHERE e.room_nid = @room_nid::bigint AND e.origin_ts >= @ts::bigint
  AND (e.origin_ts, e.stream_pos) > (@ts::bigint, @pos::bigint)
  AND e.stream_pos + 0 <= @until::bigint AND NOT e.rejected AND NOT e.soft_failed
ORDER BY e.origin_ts, e.stream_pos
LIMIT @lim::int;

-- name: TimelineByTSBackward :many
-- A room's events up to a timestamp, latest first, before the cursor
-- (@ts, @pos).
SELECT * FROM events e
WHERE e.room_nid = @room_nid::bigint AND e.origin_ts <= @ts::bigint
  AND (e.origin_ts, e.stream_pos) < (@ts::bigint, @pos::bigint)
  AND e.stream_pos + 0 <= @until::bigint AND NOT e.rejected AND NOT e.soft_failed
ORDER BY e.origin_ts DESC, e.stream_pos DESC
LIMIT @lim::int;

-- name: TimelineRelations :many
-- One page of the events relating to an event: directly, or with
-- @max_depth over 1 through relations of relations too; filtered by
-- relation and event type (empty: any) at every depth; in stream order,
-- forward or backward, within (@lo, @hi]. Redacted events relate to
-- nothing.
WITH RECURSIVE rel (event_nid, event_id, depth) AS (
    SELECT c.event_nid, c.event_id, 1 FROM events c
    WHERE c.relates_to = @parent_id::text AND c.room_nid = @room_nid::bigint
      AND c.redacted_by IS NULL AND NOT c.rejected AND NOT c.soft_failed AND c.stream_pos IS NOT NULL
    UNION
    SELECT c.event_nid, c.event_id, rel.depth + 1 FROM events c JOIN rel ON c.relates_to = rel.event_id
    WHERE rel.depth < @max_depth::int AND c.room_nid = @room_nid::bigint
      AND c.redacted_by IS NULL AND NOT c.rejected AND NOT c.soft_failed AND c.stream_pos IS NOT NULL
)
SELECT e.* FROM events e JOIN rel ON rel.event_nid = e.event_nid
WHERE (@rel_type::text = '' OR e.rel_type = @rel_type::text)
  AND (@event_type::text = '' OR e.type = @event_type::text)
  AND e.stream_pos > @lo::bigint AND e.stream_pos <= @hi::bigint
ORDER BY CASE WHEN @forward::boolean THEN e.stream_pos ELSE -e.stream_pos END
LIMIT @lim::int;

-- name: TimelineThreadRoots :many
-- A page of a room's thread roots, by the position of their latest thread
-- event, newest first; with @participated, only the threads the user
-- started or sent an event in.
SELECT t.relates_to::text AS root_id, max(t.stream_pos)::bigint AS latest_pos
FROM events t JOIN events r ON r.event_id = t.relates_to AND r.room_nid = t.room_nid
WHERE t.room_nid = @room_nid::bigint AND t.rel_type = 'm.thread'
  AND t.redacted_by IS NULL AND NOT t.rejected AND NOT t.soft_failed AND t.stream_pos <= @until::bigint
GROUP BY t.relates_to
HAVING max(t.stream_pos) <= @from_pos::bigint
  AND (NOT @participated::boolean OR bool_or(t.sender = @user_id::text) OR bool_or(r.sender = @user_id::text))
ORDER BY latest_pos DESC
LIMIT @lim::int;

-- name: TimelineRenderLookups :many
-- What rendering a batch of events needs beyond the events, in one read:
-- the transaction IDs the viewer's device sent its events with (kind
-- 'txn': event ID, transaction ID), and which events have relations of
-- the kinds bundled with events (kind 'rel': event ID, relation type), a
-- look at the events_relations index after which a page without relations
-- costs nothing more.
SELECT 'txn'::text AS kind, t.event_id::text AS event_id, t.txn_id::text AS value FROM event_txns t
WHERE t.user_id = @user_id AND t.device_id = @device_id AND t.event_id = ANY (@own_ids::text[])
UNION ALL
SELECT DISTINCT 'rel'::text, e.relates_to::text, e.rel_type::text FROM events e
WHERE e.relates_to = ANY (@event_ids::text[]) AND e.rel_type IN ('m.replace', 'm.thread', 'm.reference')
  AND e.redacted_by IS NULL AND NOT e.rejected AND NOT e.soft_failed AND e.stream_pos + 0 <= @until::bigint;

-- name: TimelineLatestEdits :many
-- The latest valid replacement of each event (spec v1.7+): same room,
-- sender and type as the original, neither a state event, the original not
-- an edit itself, m.new_content an object (unless encrypted), not
-- redacted; latest by origin_server_ts, then by event ID.
SELECT DISTINCT ON (o.event_id) o.event_id AS original_id, sqlc.embed(e)
FROM events e JOIN events o ON o.event_id = e.relates_to
WHERE e.relates_to = ANY (@event_ids::text[]) AND e.rel_type = 'm.replace'
  AND e.room_nid = o.room_nid AND e.sender = o.sender AND e.type = o.type
  AND e.state_key IS NULL AND o.state_key IS NULL AND o.rel_type IS DISTINCT FROM 'm.replace'
  AND e.redacted_by IS NULL AND NOT e.rejected AND NOT e.soft_failed AND e.stream_pos + 0 <= @until::bigint
  AND (e.type = 'm.room.encrypted'
       OR jsonb_typeof(convert_from(e.pdu, 'UTF8')::jsonb -> 'content' -> 'm.new_content') = 'object')
ORDER BY o.event_id, e.origin_ts DESC, e.event_id DESC;

-- name: TimelineThreadSummaries :many
-- For each thread root: the number of events in the thread, whether the
-- user sent one of them, and the latest of them.
SELECT s.root_id, s.n, s.participated, sqlc.embed(l)
FROM (
    SELECT t.relates_to::text AS root_id, count(*)::bigint AS n,
        bool_or(t.sender = @user_id::text)::boolean AS participated, max(t.stream_pos)::bigint AS latest_pos
    FROM events t JOIN events r ON r.event_id = t.relates_to AND r.room_nid = t.room_nid
    WHERE t.relates_to = ANY (@root_ids::text[]) AND t.rel_type = 'm.thread'
      AND t.redacted_by IS NULL AND NOT t.rejected AND NOT t.soft_failed AND t.stream_pos + 0 <= @until::bigint
    GROUP BY t.relates_to
) s JOIN events l ON l.stream_pos = s.latest_pos;

-- name: TimelineReferences :many
-- The events referencing (m.reference) each event, oldest first.
SELECT e.relates_to::text AS target_id, e.event_id
FROM events e JOIN events t ON t.event_id = e.relates_to AND t.room_nid = e.room_nid
WHERE e.relates_to = ANY (@event_ids::text[]) AND e.rel_type = 'm.reference'
  AND e.redacted_by IS NULL AND NOT e.rejected AND NOT e.soft_failed AND e.stream_pos + 0 <= @until::bigint
ORDER BY e.stream_pos;
