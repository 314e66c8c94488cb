-- +goose Up

-- End-to-end encryption (impl/e2ee). Signed JSON (device keys, one-time and
-- fallback keys, cross-signing keys) is stored as the bytes the client
-- uploaded and served back unchanged, so that signatures keep verifying.
-- What hangs off a device goes with it: every per-device table references
-- devices ON DELETE CASCADE.

-- e2e_device_keys are each device's identity keys (POST /keys/upload
-- device_keys).
CREATE TABLE e2e_device_keys (
    user_id   text NOT NULL,
    device_id text NOT NULL,
    key_json  bytea NOT NULL,
    -- The device's ed25519 key: it signs the device's one-time keys and is
    -- what the device signs its user's master key with.
    ed25519   text NOT NULL,
    PRIMARY KEY (user_id, device_id),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);

-- e2e_one_time_keys are the unclaimed one-time keys of each device. A claim
-- deletes the oldest one (key_nid order).
CREATE TABLE e2e_one_time_keys (
    key_nid   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   text NOT NULL,
    device_id text NOT NULL,
    algorithm text NOT NULL,
    key_id    text NOT NULL,
    key_json  bytea NOT NULL,
    UNIQUE (user_id, device_id, algorithm, key_id),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);
CREATE INDEX e2e_one_time_keys_claim ON e2e_one_time_keys (user_id, device_id, algorithm, key_nid);

-- e2e_fallback_keys hold at most one fallback key per device and algorithm,
-- handed out when the one-time keys run out, and kept until replaced.
CREATE TABLE e2e_fallback_keys (
    user_id   text NOT NULL,
    device_id text NOT NULL,
    algorithm text NOT NULL,
    key_id    text NOT NULL,
    key_json  bytea NOT NULL,
    used      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (user_id, device_id, algorithm),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);

-- e2e_cross_signing_keys are each user's master, self-signing and
-- user-signing keys.
CREATE TABLE e2e_cross_signing_keys (
    user_id    text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    usage      text NOT NULL CHECK (usage IN ('master', 'self_signing', 'user_signing')),
    -- The ed25519 public key (unpadded base64), the key's ID after "ed25519:".
    public_key text NOT NULL,
    key_json   bytea NOT NULL,
    PRIMARY KEY (user_id, usage)
);

-- e2e_signatures are signatures uploaded with POST /keys/signatures/upload,
-- merged into the signed objects when they are served: a device signed by
-- its user's self-signing key, a master key signed by one of its user's
-- devices or by another user's user-signing key.
CREATE TABLE e2e_signatures (
    target_user_id text NOT NULL,
    -- A device ID, or a cross-signing public key.
    target_key     text NOT NULL,
    signer_user_id text NOT NULL,
    -- The signing key's ID: "ed25519:<public key or device ID>".
    signer_key_id  text NOT NULL,
    signature      text NOT NULL,
    PRIMARY KEY (target_user_id, target_key, signer_user_id, signer_key_id)
);

-- e2e_device_list_changes record, at their stream position, that a user's
-- devices or cross-signing keys changed. Readers join them with the rooms
-- they share with the user (memberships) for /sync's device_lists.changed.
CREATE TABLE e2e_device_list_changes (
    stream_pos bigint NOT NULL,
    user_id    text NOT NULL,
    -- Set for a change only one user is told of ("" for everyone sharing
    -- a room): a user's own user-signing key, or their signature of
    -- another user's master key.
    only_for   text NOT NULL DEFAULT '',
    PRIMARY KEY (stream_pos, user_id, only_for)
);

-- e2e_to_device are to-device messages waiting for their device, as the
-- event the device will get ({"type", "sender", "content"}). A message is
-- deleted once the device acknowledges it: a sync token at or after its
-- position. A sync that carries only the first messages (the per-sync cap)
-- moves the rest to a new position, after its own token.
CREATE TABLE e2e_to_device (
    user_id    text NOT NULL,
    device_id  text NOT NULL,
    stream_pos bigint NOT NULL,
    -- The order messages were queued in, which they are delivered in (a
    -- sync reads a device's messages in this order, filtered by position).
    msg_nid    bigint GENERATED ALWAYS AS IDENTITY,
    message    bytea NOT NULL,
    PRIMARY KEY (user_id, device_id, msg_nid),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);

-- e2e_to_device_txns make PUT /sendToDevice idempotent per device and
-- transaction ID.
CREATE TABLE e2e_to_device_txns (
    user_id    text NOT NULL,
    device_id  text NOT NULL,
    txn_id     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, device_id, txn_id),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);

-- e2e_backup_versions are server-side key backups. Versions are numbered
-- per user and never reused: a deleted version stays as a tombstone.
CREATE TABLE e2e_backup_versions (
    user_id   text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    version   bigint NOT NULL,
    algorithm text NOT NULL,
    auth_data bytea NOT NULL,
    -- Changes whenever the version's keys change.
    etag      bigint NOT NULL DEFAULT 0,
    deleted   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (user_id, version)
);

-- e2e_backup_keys are the room keys of a backup version, one per session.
CREATE TABLE e2e_backup_keys (
    user_id             text NOT NULL,
    version             bigint NOT NULL,
    room_id             text NOT NULL,
    session_id          text NOT NULL,
    first_message_index integer NOT NULL,
    forwarded_count     integer NOT NULL,
    is_verified         boolean NOT NULL,
    session_data        bytea NOT NULL,
    PRIMARY KEY (user_id, version, room_id, session_id),
    FOREIGN KEY (user_id, version) REFERENCES e2e_backup_versions (user_id, version) ON DELETE CASCADE
);

-- e2e_dehydrated_devices are users' dehydrated devices (MSC3814): a device
-- (in devices, with its keys and to-device messages) and the encrypted
-- data a new client rehydrates it from.
CREATE TABLE e2e_dehydrated_devices (
    user_id     text PRIMARY KEY,
    device_id   text NOT NULL,
    device_data bytea NOT NULL,
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE e2e_dehydrated_devices;
DROP TABLE e2e_backup_keys;
DROP TABLE e2e_backup_versions;
DROP TABLE e2e_to_device_txns;
DROP TABLE e2e_to_device;
DROP TABLE e2e_device_list_changes;
DROP TABLE e2e_signatures;
DROP TABLE e2e_cross_signing_keys;
DROP TABLE e2e_fallback_keys;
DROP TABLE e2e_one_time_keys;
DROP TABLE e2e_device_keys;
