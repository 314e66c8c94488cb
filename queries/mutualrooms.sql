-- Mutual rooms (impl/rooms/mutual.go owns these): the rooms two users are
-- both joined to, for GET /_matrix/client/v1/mutual_rooms.

-- name: MembershipMutualRooms :many
-- A page of the rooms both users are joined to, by room ID, after
-- @after ('' from the start).
SELECT r.room_id
FROM memberships a
JOIN memberships b ON b.room_nid = a.room_nid
JOIN rooms r ON r.room_nid = a.room_nid
WHERE a.user_id = @user_id AND a.membership = 'join'
  AND b.user_id = @other_user_id AND b.membership = 'join'
  AND r.room_id > @after::text
ORDER BY r.room_id
LIMIT @max_rows::integer;

-- name: MembershipMutualRoomsCount :one
SELECT count(*)::integer
FROM memberships a
JOIN memberships b ON b.room_nid = a.room_nid
WHERE a.user_id = @user_id AND a.membership = 'join'
  AND b.user_id = @other_user_id AND b.membership = 'join';
