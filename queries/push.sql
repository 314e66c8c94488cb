-- name: PushRulesGet :one
SELECT rules, version FROM push_rules WHERE user_id = @user_id;

-- name: PushRulesEnsure :exec
-- Gives a user an empty rules document to lock, unless they have one.
INSERT INTO push_rules (user_id, rules, version) VALUES (@user_id, '\x7b7d'::bytea, 0)
ON CONFLICT (user_id) DO NOTHING;

-- name: PushRulesLock :one
SELECT rules, version FROM push_rules WHERE user_id = @user_id FOR UPDATE;

-- name: PushRulesPut :one
UPDATE push_rules SET rules = @rules, version = version + 1 WHERE user_id = @user_id
RETURNING version;

-- name: PushRulesOfUsers :many
-- The rules documents of those of the users who changed their rules.
SELECT user_id, rules, version FROM push_rules WHERE user_id = ANY(@user_ids::text[]);

-- name: PusherUpsert :exec
-- Adds or updates a pusher; pushkey_ts is set when the pusher is created.
INSERT INTO pushers (user_id, app_id, pushkey, kind, app_display_name, device_display_name, profile_tag,
                     lang, data, url, device_id, pushkey_ts)
VALUES (@user_id, @app_id, @pushkey, @kind, @app_display_name, @device_display_name, @profile_tag,
        @lang, @data, @url, @device_id, @pushkey_ts)
ON CONFLICT (user_id, app_id, pushkey) DO UPDATE
SET kind = excluded.kind, app_display_name = excluded.app_display_name,
    device_display_name = excluded.device_display_name, profile_tag = excluded.profile_tag,
    lang = excluded.lang, data = excluded.data, url = excluded.url, device_id = excluded.device_id;

-- name: PusherDelete :exec
DELETE FROM pushers WHERE user_id = @user_id AND app_id = @app_id AND pushkey = @pushkey;

-- name: PusherDeleteOthers :exec
-- Removes other users' pushers with the same app ID and pushkey (pushers/set
-- without append).
DELETE FROM pushers WHERE app_id = @app_id AND pushkey = @pushkey AND user_id <> @user_id;

-- name: PusherDeleteKeys :exec
-- Removes a user's pushers of an app whose pushkeys a push gateway rejected.
DELETE FROM pushers WHERE user_id = @user_id AND app_id = @app_id AND pushkey = ANY(@pushkeys::text[]);

-- name: PushersOfUser :many
SELECT app_id, pushkey, kind, app_display_name, device_display_name, profile_tag, lang, data
FROM pushers WHERE user_id = @user_id ORDER BY app_id, pushkey;

-- name: PusherGet :one
SELECT url, data, pushkey_ts FROM pushers WHERE user_id = @user_id AND app_id = @app_id AND pushkey = @pushkey;

-- name: PushDeliveryLock :one
-- Takes the session lock that makes this connection's process the one that
-- delivers notifications (class 6 of the advisory locks: push); false when
-- another process holds it.
SELECT pg_try_advisory_lock(6, 0);

-- name: PushCursorInit :exec
-- Starts delivery at a position, unless it has started before.
INSERT INTO push_cursor (one, stream_pos) VALUES (true, @stream_pos) ON CONFLICT (one) DO NOTHING;

-- name: PushCursorGet :one
SELECT stream_pos FROM push_cursor;

-- name: PushCursorMove :execrows
-- Moves the cursor on from where its reader found it: no row is changed
-- when another reader moved it meanwhile.
UPDATE push_cursor SET stream_pos = @next WHERE stream_pos = @prev;

-- name: PushEventsAfter :many
-- Timeline events in (after, upto], oldest first, with their rooms.
SELECT e.event_id, e.stream_pos, e.sender, e.pdu, e.room_nid, r.room_id, r.room_version
FROM events e JOIN rooms r ON r.room_nid = e.room_nid
WHERE e.stream_pos > @after::bigint AND e.stream_pos <= @upto::bigint AND NOT e.rejected AND NOT e.soft_failed
ORDER BY e.stream_pos
LIMIT @lim;

-- name: PushRecipients :many
-- The pushers an event at stream position pos may notify: those of the
-- room's local members joined before it, and of a local user it invites;
-- never the sender's.
SELECT p.user_id, p.app_id, p.pushkey
FROM memberships m JOIN pushers p ON p.user_id = m.user_id
WHERE m.room_nid = @room_nid AND m.is_local AND m.user_id <> @sender::text
  AND ((m.membership = 'join' AND m.stream_pos < @pos::bigint)
    OR (m.membership = 'invite' AND m.user_id = @invitee::text AND m.stream_pos = @pos::bigint))
ORDER BY p.user_id, p.app_id, p.pushkey;

-- name: PushJoinedCount :one
SELECT count(*)::int FROM memberships WHERE room_nid = @room_nid AND membership = 'join';

-- name: PushRoomState :many
-- Current state events of a room: those of the types with an empty state
-- key, and the member events of the users.
SELECT sk.type, sk.state_key, e.sender, e.pdu
FROM state_keys sk
JOIN current_state cs ON cs.key_nid = sk.key_nid AND cs.room_nid = @room_nid
JOIN events e ON e.event_nid = cs.event_nid
WHERE (sk.type = ANY(@types::text[]) AND sk.state_key = '')
   OR (sk.type = 'm.room.member' AND sk.state_key = ANY(@members::text[]));

-- name: PushRoomByID :one
SELECT room_nid, room_version FROM rooms WHERE room_id = @room_id;

-- name: PushEventByID :one
SELECT e.event_id, e.stream_pos, e.sender, e.pdu, e.origin_ts, e.room_nid, r.room_id, r.room_version
FROM events e JOIN rooms r ON r.room_nid = e.room_nid
WHERE e.event_id = @event_id;

-- name: PushCountBasis :many
-- For each of the rooms the user is joined to (those of room_ids, or all
-- of them): their receipts (the
-- latest acknowledged positions, unthreaded, of the main timeline and per
-- thread, public or private), when those last changed, the membership's
-- position, and the cached counts.
SELECT r.room_nid, r.room_id, r.room_version, m.stream_pos AS member_pos,
       coalesce(rc.unthreaded, 0)::bigint AS unthreaded,
       coalesce(rc.main, 0)::bigint AS main,
       coalesce(rc.latest, 0)::bigint AS receipt_pos,
       coalesce(rc.thread_ids, '{}')::text[] AS thread_ids,
       coalesce(rc.thread_pos, '{}')::bigint[] AS thread_pos,
       c.upto AS cached_upto, c.receipt_pos AS cached_receipt_pos, c.member_pos AS cached_member_pos,
       c.notifications AS cached_notifications, c.highlights AS cached_highlights, c.threads AS cached_threads
FROM rooms r
JOIN memberships m ON m.room_nid = r.room_nid AND m.user_id = @user_id AND m.membership = 'join'
LEFT JOIN push_counts c ON c.user_id = @user_id AND c.room_nid = r.room_nid
LEFT JOIN LATERAL (
    SELECT max(x.event_pos) FILTER (WHERE x.thread_id = '') AS unthreaded,
           max(x.event_pos) FILTER (WHERE x.thread_id = 'main') AS main,
           max(x.stream_pos) AS latest,
           array_agg(x.thread_id) FILTER (WHERE x.thread_id NOT IN ('', 'main')) AS thread_ids,
           array_agg(x.event_pos) FILTER (WHERE x.thread_id NOT IN ('', 'main')) AS thread_pos
    FROM receipts x
    WHERE x.room_id = r.room_id AND x.user_id = @user_id AND x.receipt_type IN ('m.read', 'm.read.private')
) rc ON true
WHERE @all_rooms::boolean OR r.room_id = ANY(@room_ids::text[]);

-- name: PushCountEvents :many
-- Rooms' timeline events in (after, upto], each room's after its own, the
-- latest lim of each room, newest first: what unread counts are made of.
SELECT x.room_nid::bigint AS room_nid, e.event_id, e.stream_pos, e.sender, e.pdu, (e.redacted_by IS NOT NULL)::boolean AS redacted
FROM (SELECT unnest(@room_nids::bigint[]) AS room_nid, unnest(@afters::bigint[]) AS after) x
CROSS JOIN LATERAL (
    SELECT event_id, stream_pos, sender, pdu, redacted_by
    FROM events
    WHERE room_nid = x.room_nid AND stream_pos > x.after AND stream_pos <= @upto::bigint
      AND NOT rejected AND NOT soft_failed
    ORDER BY stream_pos DESC
    LIMIT @lim
) e
ORDER BY x.room_nid, e.stream_pos DESC;

-- name: PushCountsPut :exec
-- Caches counts, unless a cache of a later position is there already.
INSERT INTO push_counts (user_id, room_nid, upto, receipt_pos, member_pos, notifications, highlights, threads)
SELECT @user_id::text, x.room_nid, x.upto, x.receipt_pos, x.member_pos, x.notifications, x.highlights, x.threads
FROM (SELECT unnest(@room_nids::bigint[]) AS room_nid, unnest(@uptos::bigint[]) AS upto,
             unnest(@receipt_poss::bigint[]) AS receipt_pos, unnest(@member_poss::bigint[]) AS member_pos,
             unnest(@notificationss::integer[]) AS notifications, unnest(@highlightss::integer[]) AS highlights,
             unnest(@threadss::bytea[]) AS threads) x
ON CONFLICT (user_id, room_nid) DO UPDATE
SET upto = excluded.upto, receipt_pos = excluded.receipt_pos, member_pos = excluded.member_pos,
    notifications = excluded.notifications, highlights = excluded.highlights, threads = excluded.threads
WHERE push_counts.upto <= excluded.upto;

-- name: PushJoinedSince :many
-- Where each of the user's joined rooms' current stretch of membership
-- began: their member events are walked back while they say join (profile
-- changes), a few at most.
WITH RECURSIVE chain AS (
    SELECT m.room_nid, e.stream_pos, e.replaces_nid, 1 AS depth
    FROM memberships m JOIN events e ON e.event_nid = m.event_nid
    WHERE m.user_id = @user_id AND m.membership = 'join'
    UNION ALL
    SELECT c.room_nid, p.stream_pos, p.replaces_nid, c.depth + 1
    FROM chain c JOIN events p ON p.event_nid = c.replaces_nid
    WHERE c.depth < 32 AND convert_from(p.pdu, 'UTF8')::jsonb -> 'content' ->> 'membership' = 'join'
)
SELECT c.room_nid, r.room_id, r.room_version, min(c.stream_pos)::bigint AS joined_at
FROM chain c JOIN rooms r ON r.room_nid = c.room_nid
GROUP BY c.room_nid, r.room_id, r.room_version;

-- name: PushNotificationEvents :many
-- Events of the rooms from when the user joined them, before a position,
-- newest first, not sent by the user nor redacted.
SELECT e.event_id, e.stream_pos, e.sender, e.pdu, e.origin_ts, e.room_nid
FROM events e
JOIN (SELECT unnest(@room_nids::bigint[]) AS room_nid, unnest(@joined_at::bigint[]) AS joined_at) r ON e.room_nid = r.room_nid
WHERE e.stream_pos < @before::bigint AND e.stream_pos > r.joined_at AND e.sender <> @user_id::text
  AND NOT e.rejected AND NOT e.soft_failed AND e.redacted_by IS NULL
ORDER BY e.stream_pos DESC
LIMIT @lim;
