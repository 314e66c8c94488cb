package e2ee

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
)

// DeviceHook is what impl/accounts tells of device changes, in the
// transaction that makes them (accounts.DeviceHook). A deleted device's
// keys, one-time and fallback keys, pending to-device messages and
// dehydrated-device data go with its row (ON DELETE CASCADE); the hook
// forgets the signatures of it and announces the change in device lists.
// It needs nothing but the transaction, so it exists before the services
// that use it.
type DeviceHook struct{}

// DevicesChangedTx records that user's devices changed: deleted are gone
// (nil when a device was only renamed, which shows in keys/query's
// unsigned.device_display_name). It takes a stream position, so the
// caller calls it last in its transaction.
func (DeviceHook) DevicesChangedTx(ctx context.Context, tx pgx.Tx, user id.UserID, deleted []id.DeviceID) error {
	if len(deleted) > 0 {
		keys := make([]string, len(deleted))
		for i, d := range deleted {
			keys[i] = string(d)
		}
		err := queries.SignaturesDeleteForKeys(ctx, tx, db.SignaturesDeleteForKeysParams{UserID: string(user), Keys: keys})
		if err != nil {
			return fmt.Errorf("forget signatures of deleted devices of %s: %w", user, err)
		}
	}
	return markChangedTx(ctx, tx, listChange{user: user})
}
