-- Space hierarchies (impl/directory/hierarchy.go owns these): the cached
-- summaries of many rooms at once, the m.space.child state of spaces and
-- the requester's memberships, read one level of the space tree at a time.

-- name: HierarchySummaries :many
-- The cached summaries of the given rooms (refreshed first by the caller);
-- rooms this server does not have are left out.
SELECT r.room_id, r.room_version, sqlc.embed(s)
FROM rooms r JOIN room_summaries s USING (room_nid)
WHERE r.room_id = ANY(@room_ids::text[]);

-- name: HierarchyChildren :many
-- The m.space.child events in the current state of the given rooms.
SELECT r.room_id, e.state_key::text AS state_key, e.sender, e.origin_ts, e.pdu
FROM rooms r
JOIN current_state cs ON cs.room_nid = r.room_nid
JOIN state_keys k ON k.key_nid = cs.key_nid
JOIN events e ON e.event_nid = cs.event_nid
WHERE k.type = 'm.space.child' AND r.room_id = ANY(@room_ids::text[]);

-- name: HierarchyMemberships :many
-- A user's memberships of those of the given rooms they have one in.
SELECT r.room_id, m.membership
FROM memberships m JOIN rooms r USING (room_nid)
WHERE m.user_id = @user_id AND r.room_id = ANY(@room_ids::text[]);
