-- +goose Up

-- A pusher belongs to the device that set it: logging that device out (or
-- deleting it) removes its pushers, so that a phone signed out stops being
-- pushed to. Pushers set without a device (device_id NULL) are kept.
DELETE FROM pushers p
WHERE p.device_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM devices d WHERE d.user_id = p.user_id AND d.device_id = p.device_id);
ALTER TABLE pushers ADD CONSTRAINT pushers_device FOREIGN KEY (user_id, device_id)
    REFERENCES devices (user_id, device_id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE pushers DROP CONSTRAINT pushers_device;
