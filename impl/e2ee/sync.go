package e2ee

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/stream"
)

// SyncSections are /sync's end-to-end encryption sections for one device.
type SyncSections struct {
	// ToDevice are the device's messages, oldest first.
	ToDevice []json.RawMessage
	// Changed and Left are device_lists.
	Changed, Left []id.UserID
	// OneTimeKeysCount always holds signed_curve25519.
	OneTimeKeysCount map[string]int
	// UnusedFallbackKeys are the algorithms whose fallback key is unused.
	UnusedFallbackKeys []string
}

// SyncSections answers /sync's end-to-end encryption sections for a device
// syncing from since to upto: its to-device messages (ToDevice) and its
// keys' news (KeySections).
func (s *Service) SyncSections(ctx context.Context, user id.UserID, device id.DeviceID, since, upto stream.Pos) (*SyncSections, error) {
	msgs, err := s.ToDevice(ctx, user, device, since, upto, 0)
	if err != nil {
		return nil, err
	}
	out, err := s.KeySections(ctx, user, device, since, upto)
	if err != nil {
		return nil, err
	}
	out.ToDevice = msgs
	return out, nil
}

// ToDevice hands out a device's to-device messages. since acknowledges the
// messages the device received with the response that handed them out:
// every message at or before it is deleted first. Then come the waiting
// messages up to upto, in the order they were queued, at most limit (the
// configured limit when 0 or above it); the rest are moved to a new stream
// position, after upto, so that the response's token (upto) acknowledges
// only what it carried and the next sync brings them.
func (s *Service) ToDevice(ctx context.Context, user id.UserID, device id.DeviceID, since, upto stream.Pos, limit int) ([]json.RawMessage, error) {
	if since > 0 {
		err := s.q.ToDeviceAck(ctx, s.pool, db.ToDeviceAckParams{UserID: user, DeviceID: device, Since: int64(since)})
		if err != nil {
			return nil, fmt.Errorf("acknowledge to-device messages of %s %s: %w", user, device, err)
		}
	}
	if limit <= 0 || limit > s.cfg.ToDeviceLimit {
		limit = s.cfg.ToDeviceLimit
	}
	msgs, err := s.q.ToDeviceForSync(ctx, s.pool, db.ToDeviceForSyncParams{UserID: user, DeviceID: device, Upto: int64(upto), Lim: int32(limit + 1)})
	if err != nil {
		return nil, fmt.Errorf("read to-device messages of %s %s: %w", user, device, err)
	}
	if len(msgs) > limit {
		msgs = msgs[:limit]
		if err := s.deferToDevice(ctx, user, device, upto, msgs[limit-1].MsgNid); err != nil {
			return nil, err
		}
	}
	out := make([]json.RawMessage, len(msgs))
	for i, m := range msgs {
		out[i] = m.Message
	}
	return out, nil
}

// KeySections are the key news of a device syncing from since to upto:
// device list changes of (since, upto] (none for an initial sync), its
// one-time key counts and unused fallback key types. It acknowledges
// nothing.
func (s *Service) KeySections(ctx context.Context, user id.UserID, device id.DeviceID, since, upto stream.Pos) (*SyncSections, error) {
	out := &SyncSections{}
	if since > 0 {
		var err error
		if out.Changed, out.Left, err = s.deviceListChanges(ctx, s.pool, user, since, upto); err != nil {
			return nil, err
		}
	}
	status, err := s.q.DeviceKeyStatus(ctx, s.pool, db.DeviceKeyStatusParams{UserID: string(user), DeviceID: string(device)})
	if err != nil {
		return nil, fmt.Errorf("read key counts of %s %s: %w", user, device, err)
	}
	out.OneTimeKeysCount = map[string]int{signedCurve25519: 0}
	out.UnusedFallbackKeys = []string{}
	for _, r := range status {
		if r.Fallback {
			out.UnusedFallbackKeys = append(out.UnusedFallbackKeys, r.Algorithm)
		} else {
			out.OneTimeKeysCount[r.Algorithm] = int(r.N)
		}
	}
	return out, nil
}

// deferToDevice moves a device's messages up to upto queued after lastNID
// to a new stream position.
func (s *Service) deferToDevice(ctx context.Context, user id.UserID, device id.DeviceID, upto stream.Pos, lastNID int64) error {
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := stream.AdvanceTx(ctx, tx); err != nil {
			return err
		}
		err := s.q.ToDeviceDefer(ctx, tx, db.ToDeviceDeferParams{UserID: user, DeviceID: device, Upto: int64(upto), LastNid: lastNID})
		if err != nil {
			return fmt.Errorf("defer to-device messages of %s %s: %w", user, device, err)
		}
		return nil
	})
}
