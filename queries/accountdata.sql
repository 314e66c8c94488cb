-- name: AccountDataPut :exec
-- Stores account data at the transaction's stream position (StreamAdvance).
INSERT INTO account_data (user_id, room_id, type, content, stream_pos)
VALUES (@user_id, @room_id, @type, @content, currval('stream_positions'))
ON CONFLICT (user_id, room_id, type) DO UPDATE
SET content = excluded.content, stream_pos = excluded.stream_pos;

-- name: AccountDataGet :one
SELECT content FROM account_data WHERE user_id = @user_id AND room_id = @room_id AND type = @type;

-- name: AccountDataGlobalSince :many
-- The user's global account data that changed in (since, upto].
SELECT type, content FROM account_data
WHERE user_id = @user_id AND room_id = '' AND stream_pos > @since::bigint AND stream_pos <= @upto::bigint
ORDER BY stream_pos;

-- name: AccountDataRoomsSince :many
-- The user's account data of the rooms that changed in (since, upto].
SELECT room_id, type, content FROM account_data
WHERE user_id = @user_id AND room_id = ANY(@room_ids::text[])
  AND stream_pos > @since::bigint AND stream_pos <= @upto::bigint
ORDER BY stream_pos;

-- name: AccountDataTagSet :exec
-- Sets one tag in a room's m.tag content ({"tags": {tag: content}}) at the
-- transaction's stream position, keeping the other tags.
INSERT INTO account_data (user_id, room_id, type, content, stream_pos)
VALUES (@user_id, @room_id, 'm.tag',
    convert_to(jsonb_build_object('tags', jsonb_build_object(@tag::text, @tag_content::jsonb))::text, 'UTF8'),
    currval('stream_positions'))
ON CONFLICT (user_id, room_id, type) DO UPDATE
SET content = convert_to(jsonb_set(convert_from(account_data.content, 'UTF8')::jsonb, '{tags}',
        CASE WHEN jsonb_typeof(convert_from(account_data.content, 'UTF8')::jsonb -> 'tags') = 'object'
             THEN convert_from(account_data.content, 'UTF8')::jsonb -> 'tags' ELSE '{}'::jsonb END
        || jsonb_build_object(@tag::text, @tag_content::jsonb))::text, 'UTF8'),
    stream_pos = excluded.stream_pos;

-- name: AccountDataTagDelete :one
-- Removes one tag from a room's m.tag content at the transaction's stream
-- position; no row (pgx.ErrNoRows) when the tag is not there.
UPDATE account_data
SET content = convert_to(jsonb_set(convert_from(content, 'UTF8')::jsonb, '{tags}',
        (convert_from(content, 'UTF8')::jsonb -> 'tags') - @tag::text)::text, 'UTF8'),
    stream_pos = currval('stream_positions')
WHERE user_id = @user_id AND room_id = @room_id AND type = 'm.tag'
  AND jsonb_typeof(convert_from(content, 'UTF8')::jsonb -> 'tags') = 'object'
  AND jsonb_exists(convert_from(content, 'UTF8')::jsonb -> 'tags', @tag::text)
RETURNING stream_pos;
