-- Queries of impl/e2ee: device, one-time, fallback and cross-signing keys,
-- signatures, device lists, to-device messages, key backup and dehydrated
-- devices.

-- name: DeviceKeysGet :one
SELECT key_json, ed25519 FROM e2e_device_keys WHERE user_id = $1 AND device_id = $2;

-- name: DeviceKeysUpsert :exec
INSERT INTO e2e_device_keys (user_id, device_id, key_json, ed25519)
VALUES ($1, $2, $3, $4)
ON CONFLICT (user_id, device_id) DO UPDATE SET key_json = excluded.key_json, ed25519 = excluded.ed25519;

-- name: DeviceKeysOfUsers :many
-- The device keys of every device of the users, with the devices' display
-- names (unsigned.device_display_name).
SELECT k.user_id, k.device_id, k.key_json, d.display_name
FROM e2e_device_keys k JOIN devices d USING (user_id, device_id)
WHERE k.user_id = ANY(@user_ids::text[])
ORDER BY k.user_id, k.device_id;

-- name: DeviceKeysEd25519OfUser :many
-- The ed25519 keys of a user's devices, for checking their signatures.
SELECT device_id, ed25519, key_json FROM e2e_device_keys WHERE user_id = $1;

-- name: DevicesOfUsers :many
-- Every device of the users (to-device messages to "*" and to named
-- devices go to devices that exist).
SELECT user_id, device_id FROM devices WHERE user_id = ANY(@user_ids::text[]);

-- name: DeviceExists :one
SELECT EXISTS (SELECT 1 FROM devices WHERE user_id = $1 AND device_id = $2);

-- name: OneTimeKeysInsert :many
-- Inserts one-time keys, skipping key IDs the device already has; returns
-- the ones inserted.
INSERT INTO e2e_one_time_keys (user_id, device_id, algorithm, key_id, key_json)
SELECT @user_id::text, @device_id::text, a, k, j
FROM (SELECT unnest(@algorithms::text[]) AS a, unnest(@key_ids::text[]) AS k, unnest(@key_jsons::bytea[]) AS j) u
ON CONFLICT (user_id, device_id, algorithm, key_id) DO NOTHING
RETURNING algorithm, key_id;

-- name: OneTimeKeysGet :many
-- The stored one-time keys among the given (algorithm, key ID) pairs.
SELECT k.algorithm, k.key_id, k.key_json
FROM e2e_one_time_keys k
JOIN (SELECT unnest(@algorithms::text[]) AS a, unnest(@key_ids::text[]) AS id) u ON k.algorithm = u.a AND k.key_id = u.id
WHERE k.user_id = @user_id::text AND k.device_id = @device_id::text;

-- name: OneTimeKeyCounts :many
SELECT algorithm, count(*)::integer AS n FROM e2e_one_time_keys
WHERE user_id = $1 AND device_id = $2 GROUP BY algorithm;

-- name: OneTimeKeysClaim :many
-- Claims, for each (user, device, algorithm), the device's oldest one-time
-- key of the algorithm and deletes it. Rows locked by a concurrent claim
-- are skipped, so no two claims ever get the same key; a device whose
-- keys are all taken gets none (and its fallback key). The picked keys
-- are joined (USING), not looked up with IN, which PostgreSQL could run
-- as a locking subquery per row of the table.
DELETE FROM e2e_one_time_keys k
USING (
    SELECT c.key_nid
    FROM (SELECT unnest(@user_ids::text[]) AS u, unnest(@device_ids::text[]) AS d, unnest(@algorithms::text[]) AS a) w
    CROSS JOIN LATERAL (
        SELECT x.key_nid FROM e2e_one_time_keys x
        WHERE x.user_id = w.u AND x.device_id = w.d AND x.algorithm = w.a
        ORDER BY x.key_nid LIMIT 1
        FOR UPDATE SKIP LOCKED
    ) c
) picked
WHERE k.key_nid = picked.key_nid
RETURNING k.user_id, k.device_id, k.algorithm, k.key_id, k.key_json;

-- name: FallbackKeysClaim :many
-- Hands out the fallback keys of the (user, device, algorithm) triples and
-- marks them used.
UPDATE e2e_fallback_keys f SET used = true
FROM (SELECT unnest(@user_ids::text[]) AS u, unnest(@device_ids::text[]) AS d, unnest(@algorithms::text[]) AS a) w
WHERE f.user_id = w.u AND f.device_id = w.d AND f.algorithm = w.a
RETURNING f.user_id, f.device_id, f.algorithm, f.key_id, f.key_json;

-- name: FallbackKeysOfDevice :many
SELECT algorithm, key_id, key_json, used FROM e2e_fallback_keys WHERE user_id = $1 AND device_id = $2;

-- name: FallbackKeyUpsert :exec
-- Stores a new fallback key for its algorithm, replacing the previous one;
-- a new key starts unused.
INSERT INTO e2e_fallback_keys (user_id, device_id, algorithm, key_id, key_json, used)
VALUES ($1, $2, $3, $4, $5, false)
ON CONFLICT (user_id, device_id, algorithm) DO UPDATE
SET key_id = excluded.key_id, key_json = excluded.key_json, used = false;

-- name: DeviceKeyStatus :many
-- A device's unclaimed one-time key counts by algorithm (fallback = false),
-- and the algorithms of its unused fallback keys (fallback = true), for
-- /sync.
SELECT algorithm, count(*)::integer AS n, false AS fallback FROM e2e_one_time_keys
WHERE user_id = @user_id::text AND device_id = @device_id::text GROUP BY algorithm
UNION ALL
SELECT algorithm, 0, true FROM e2e_fallback_keys
WHERE user_id = @user_id::text AND device_id = @device_id::text AND NOT used;

-- name: CrossSigningKeysOfUser :many
SELECT usage, public_key, key_json FROM e2e_cross_signing_keys WHERE user_id = $1;

-- name: CrossSigningKeysOfUsers :many
SELECT user_id, usage, public_key, key_json FROM e2e_cross_signing_keys
WHERE user_id = ANY(@user_ids::text[]);

-- name: CrossSigningKeyUpsert :exec
INSERT INTO e2e_cross_signing_keys (user_id, usage, public_key, key_json)
VALUES ($1, $2, $3, $4)
ON CONFLICT (user_id, usage) DO UPDATE SET public_key = excluded.public_key, key_json = excluded.key_json;

-- name: E2ELock :exec
-- Serialises the writers of one user's keys of one kind until the
-- transaction ends (class 9 of the advisory locks: end-to-end encryption;
-- the key names the kind and the user, as "backup:@alice:example.org").
SELECT pg_advisory_xact_lock(9, hashtext(@lock_key::text));

-- name: SignatureUpsert :exec
INSERT INTO e2e_signatures (target_user_id, target_key, signer_user_id, signer_key_id, signature)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (target_user_id, target_key, signer_user_id, signer_key_id) DO UPDATE SET signature = excluded.signature;

-- name: SignaturesForViewer :many
-- The stored signatures of the users' keys a viewer may see: those by the
-- key's own user, and those by the viewer (user-signing signatures are
-- visible to their signer alone).
SELECT target_user_id, target_key, signer_user_id, signer_key_id, signature
FROM e2e_signatures
WHERE target_user_id = ANY(@user_ids::text[])
  AND (signer_user_id = target_user_id OR signer_user_id = @viewer::text);

-- name: SignaturesDeleteForKeys :exec
-- Forgets the signatures of keys that are gone or changed.
DELETE FROM e2e_signatures WHERE target_user_id = @user_id::text AND target_key = ANY(@keys::text[]);

-- name: DeviceListChangeInsert :exec
-- Records a change of a user's device list at the transaction's stream
-- position (after stream.AdvanceTx).
INSERT INTO e2e_device_list_changes (stream_pos, user_id, only_for)
VALUES (currval('stream_positions'), $1, @only_for::text)
ON CONFLICT DO NOTHING;

-- name: DeviceListWindow :many
-- The device list news of (since, upto] for a viewer: gone = false for
-- users whose devices or cross-signing keys changed (the viewer, users
-- sharing a joined room with the viewer, changes told to the viewer alone)
-- and users who came to share a joined room with the viewer (they joined
-- one of the viewer's rooms, or the viewer joined theirs); gone = true for
-- users who stopped sharing any joined room with the viewer.
SELECT c.user_id::text AS user_id, false AS gone FROM e2e_device_list_changes c
WHERE c.stream_pos > @since::bigint AND c.stream_pos <= @upto::bigint
  AND (c.only_for = @viewer::text
       OR (c.only_for = '' AND (c.user_id = @viewer::text OR EXISTS (
           SELECT 1 FROM memberships b
           JOIN memberships a ON a.room_nid = b.room_nid AND a.user_id = @viewer::text AND a.membership = 'join'
           WHERE b.user_id = c.user_id AND b.membership = 'join'))))
UNION
SELECT o.user_id, false FROM memberships o
JOIN memberships m ON m.room_nid = o.room_nid AND m.user_id = @viewer::text AND m.membership = 'join'
WHERE o.stream_pos > @since::bigint AND o.stream_pos <= @upto::bigint
  AND o.membership = 'join' AND o.user_id <> @viewer::text
UNION
SELECT o.user_id, false FROM memberships m
JOIN memberships o ON o.room_nid = m.room_nid AND o.membership = 'join' AND o.user_id <> @viewer::text
WHERE m.user_id = @viewer::text AND m.membership = 'join'
  AND m.stream_pos > @since::bigint AND m.stream_pos <= @upto::bigint
UNION
SELECT s.user_id, true FROM (
    SELECT o.user_id FROM memberships o
    JOIN memberships m ON m.room_nid = o.room_nid AND m.user_id = @viewer::text AND m.membership = 'join'
    WHERE o.stream_pos > @since::bigint AND o.stream_pos <= @upto::bigint
      AND o.membership <> 'join' AND o.user_id <> @viewer::text
    UNION
    SELECT o.user_id FROM memberships m
    JOIN memberships o ON o.room_nid = m.room_nid AND o.user_id <> @viewer::text
    WHERE m.user_id = @viewer::text AND m.membership <> 'join'
      AND m.stream_pos > @since::bigint AND m.stream_pos <= @upto::bigint
      AND (o.membership = 'join' OR o.stream_pos > @since::bigint)
) s
WHERE NOT EXISTS (
    SELECT 1 FROM memberships b
    JOIN memberships a ON a.room_nid = b.room_nid AND a.user_id = @viewer::text AND a.membership = 'join'
    WHERE b.user_id = s.user_id AND b.membership = 'join');

-- name: JoinedRoomIDsOfUser :many
-- The rooms whose members a change of the user's devices concerns.
SELECT r.room_id FROM memberships m JOIN rooms r USING (room_nid)
WHERE m.user_id = $1 AND m.membership = 'join';

-- name: ToDeviceTxnInsert :execrows
-- Claims a to-device transaction ID; 0 rows: it was used before.
INSERT INTO e2e_to_device_txns (user_id, device_id, txn_id) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING;

-- name: ToDeviceInsert :exec
-- Queues messages at the transaction's stream position, in the order given.
INSERT INTO e2e_to_device (user_id, device_id, stream_pos, message)
SELECT u, d, currval('stream_positions'), m
FROM (SELECT unnest(@user_ids::text[]) AS u, unnest(@device_ids::text[]) AS d, unnest(@messages::bytea[]) AS m) w;

-- name: ToDeviceAck :exec
-- Deletes the messages a device acknowledged with the sync token since.
DELETE FROM e2e_to_device WHERE user_id = $1 AND device_id = $2 AND stream_pos <= @since::bigint;

-- name: ToDeviceForSync :many
-- A device's messages up to upto, in the order they were queued.
SELECT stream_pos, msg_nid, message FROM e2e_to_device
WHERE user_id = $1 AND device_id = $2 AND stream_pos <= @upto::bigint
ORDER BY msg_nid
LIMIT @lim::integer;

-- name: ToDeviceDefer :exec
-- Moves a device's messages up to upto queued after last_nid to the
-- transaction's stream position (after stream.AdvanceTx): a capped sync
-- response's token then acknowledges only the messages it carried.
UPDATE e2e_to_device SET stream_pos = currval('stream_positions')
WHERE user_id = $1 AND device_id = $2 AND stream_pos <= @upto::bigint AND msg_nid > @last_nid::bigint;

-- name: ToDeviceAfter :many
-- A device's messages up to upto after (after_pos, after_nid), by
-- position: pages of a dehydrated device's messages, which nothing deletes.
SELECT stream_pos, msg_nid, message FROM e2e_to_device
WHERE user_id = $1 AND device_id = $2 AND stream_pos <= @upto::bigint
  AND (stream_pos, msg_nid) > (@after_pos::bigint, @after_nid::bigint)
ORDER BY stream_pos, msg_nid
LIMIT @lim::integer;

-- name: BackupVersionInsert :one
INSERT INTO e2e_backup_versions (user_id, version, algorithm, auth_data)
SELECT $1, coalesce(max(version), 0) + 1, $2, $3 FROM e2e_backup_versions WHERE user_id = $1
RETURNING version;

-- name: BackupVersionCurrent :one
-- The user's newest backup version that is not deleted, with its key count.
SELECT v.version, v.algorithm, v.auth_data, v.etag,
       (SELECT count(*) FROM e2e_backup_keys k WHERE k.user_id = v.user_id AND k.version = v.version)::integer AS count
FROM e2e_backup_versions v
WHERE v.user_id = $1 AND NOT v.deleted
ORDER BY v.version DESC LIMIT 1;

-- name: BackupVersionGet :one
SELECT v.version, v.algorithm, v.auth_data, v.etag,
       (SELECT count(*) FROM e2e_backup_keys k WHERE k.user_id = v.user_id AND k.version = v.version)::integer AS count
FROM e2e_backup_versions v
WHERE v.user_id = $1 AND v.version = $2 AND NOT v.deleted;

-- name: BackupVersionUpdate :execrows
UPDATE e2e_backup_versions SET auth_data = $3 WHERE user_id = $1 AND version = $2 AND NOT deleted;

-- name: BackupVersionDelete :execrows
UPDATE e2e_backup_versions SET deleted = true WHERE user_id = $1 AND version = $2 AND NOT deleted;

-- name: BackupVersionTouch :one
-- Bumps a version's etag after its keys changed.
UPDATE e2e_backup_versions SET etag = etag + 1 WHERE user_id = $1 AND version = $2 RETURNING etag;

-- name: BackupKeysDeleteVersion :exec
DELETE FROM e2e_backup_keys WHERE user_id = $1 AND version = $2;

-- name: BackupKeysUpsert :execrows
-- Stores room keys, replacing a stored key of the same session only with
-- a better one: verified over unverified, then the lower first message
-- index, then the lower forwarded count (v1.19 client-server, server-side
-- key backups). Returns how many were stored.
INSERT INTO e2e_backup_keys AS k (user_id, version, room_id, session_id, first_message_index, forwarded_count, is_verified, session_data)
SELECT @user_id::text, @version::bigint, r, s, f, c, v, d
FROM (SELECT unnest(@room_ids::text[]) AS r, unnest(@session_ids::text[]) AS s,
             unnest(@first_message_indexes::integer[]) AS f, unnest(@forwarded_counts::integer[]) AS c,
             unnest(@verified::boolean[]) AS v, unnest(@session_datas::bytea[]) AS d) u
ON CONFLICT (user_id, version, room_id, session_id) DO UPDATE
SET first_message_index = excluded.first_message_index, forwarded_count = excluded.forwarded_count,
    is_verified = excluded.is_verified, session_data = excluded.session_data
WHERE (excluded.is_verified AND NOT k.is_verified)
   OR (excluded.is_verified = k.is_verified AND (excluded.first_message_index < k.first_message_index
       OR (excluded.first_message_index = k.first_message_index AND excluded.forwarded_count < k.forwarded_count)));

-- name: BackupKeysGet :many
-- A version's keys, of one room and one session when they are given.
SELECT room_id, session_id, first_message_index, forwarded_count, is_verified, session_data
FROM e2e_backup_keys
WHERE user_id = @user_id::text AND version = @version::bigint
  AND (@room_id::text = '' OR room_id = @room_id::text)
  AND (@session_id::text = '' OR session_id = @session_id::text)
ORDER BY room_id, session_id;

-- name: BackupKeysDelete :execrows
-- Deletes a version's keys, of one room and one session when they are given.
DELETE FROM e2e_backup_keys
WHERE user_id = @user_id::text AND version = @version::bigint
  AND (@room_id::text = '' OR room_id = @room_id::text)
  AND (@session_id::text = '' OR session_id = @session_id::text);

-- name: DehydratedDeviceGet :one
SELECT device_id, device_data FROM e2e_dehydrated_devices WHERE user_id = $1;

-- name: DehydratedDeviceUpsert :exec
INSERT INTO e2e_dehydrated_devices (user_id, device_id, device_data) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET device_id = excluded.device_id, device_data = excluded.device_data;

-- name: ToDeviceTxnsExpire :execrows
-- Forgets to-device transaction IDs older than before: a client retries a
-- request within minutes, not days.
DELETE FROM e2e_to_device_txns WHERE created_at < @before::timestamptz;
