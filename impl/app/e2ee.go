package app

import (
	"context"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/e2ee"
	"github.com/hearth-hs/hearth/impl/stream"
	"github.com/hearth-hs/hearth/impl/syncer"
)

// syncDevices gives /sync its end-to-end encryption sections from e2ee,
// which knows nothing of the sync engine's types.
type syncDevices struct{ keys *e2ee.Service }

func (d syncDevices) DeviceSections(ctx context.Context, user id.UserID, device id.DeviceID, since, upto stream.Pos) (*syncer.DeviceSections, error) {
	s, err := d.keys.SyncSections(ctx, user, device, since, upto)
	if err != nil {
		return nil, err
	}
	return &syncer.DeviceSections{
		ToDevice:             s.ToDevice,
		Changed:              s.Changed,
		Left:                 s.Left,
		OneTimeKeysCount:     s.OneTimeKeysCount,
		UnusedFallbackKeys:   s.UnusedFallbackKeys,
		HasUnusedFallbackKey: len(s.UnusedFallbackKeys) > 0,
	}, nil
}
