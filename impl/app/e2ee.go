package app

import (
	"context"
	"encoding/json"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/e2ee"
	"github.com/hearth-hs/hearth/impl/stream"
	"github.com/hearth-hs/hearth/impl/syncer"
)

// syncDevices gives /sync and sliding sync their end-to-end encryption
// sections from e2ee, which knows nothing of the sync engines' types.
type syncDevices struct{ keys *e2ee.Service }

func (d syncDevices) DeviceSections(ctx context.Context, user id.UserID, device id.DeviceID, since, upto stream.Pos) (*syncer.DeviceSections, error) {
	s, err := d.keys.SyncSections(ctx, user, device, since, upto)
	if err != nil {
		return nil, err
	}
	return sections(s), nil
}

// ToDevice serves sliding sync's to_device extension.
func (d syncDevices) ToDevice(ctx context.Context, user id.UserID, device id.DeviceID, since, upto stream.Pos, limit int) ([]json.RawMessage, error) {
	return d.keys.ToDevice(ctx, user, device, since, upto, limit)
}

// KeySections serves sliding sync's e2ee extension.
func (d syncDevices) KeySections(ctx context.Context, user id.UserID, device id.DeviceID, since, upto stream.Pos) (*syncer.DeviceSections, error) {
	s, err := d.keys.KeySections(ctx, user, device, since, upto)
	if err != nil {
		return nil, err
	}
	return sections(s), nil
}

func sections(s *e2ee.SyncSections) *syncer.DeviceSections {
	return &syncer.DeviceSections{
		ToDevice:             s.ToDevice,
		Changed:              s.Changed,
		Left:                 s.Left,
		OneTimeKeysCount:     s.OneTimeKeysCount,
		UnusedFallbackKeys:   s.UnusedFallbackKeys,
		HasUnusedFallbackKey: len(s.UnusedFallbackKeys) > 0,
	}
}
