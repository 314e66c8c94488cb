package ephemeral

import (
	"context"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/stream"
)

// notifyBudget is how many bytes of IDs one notification carries:
// PostgreSQL caps a payload at 8000 bytes, and the position and keys take
// some.
const notifyBudget = 7000

// notifyRoomsTx announces the transaction's change to the members of rooms
// and to users, in as many notifications as the payload limit needs.
func notifyRoomsTx(ctx context.Context, q db.DBTX, rooms []id.RoomID, users []id.UserID) error {
	var rs []id.RoomID
	var us []id.UserID
	size := 0
	flush := func() error {
		err := stream.NotifyCurrentRoomsTx(ctx, q, rs, us)
		rs, us, size = nil, nil, 0
		return err
	}
	for _, r := range rooms {
		if size+len(r)+3 > notifyBudget {
			if err := flush(); err != nil {
				return err
			}
		}
		rs = append(rs, r)
		size += len(r) + 3 // quotes and comma
	}
	for _, u := range users {
		if size+len(u)+3 > notifyBudget {
			if err := flush(); err != nil {
				return err
			}
		}
		us = append(us, u)
		size += len(u) + 3
	}
	if len(rs) > 0 || len(us) > 0 {
		return flush()
	}
	return nil
}
