// Package lock holds the per-room write lock: a PostgreSQL advisory lock,
// so that writers in every hearth process sharing the database take turns
// on a room. Code that must run under the lock takes a Held, which only
// Room makes.
package lock

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
)

// Held proves that the current transaction holds the write lock of a room.
type Held struct {
	room id.RoomID
}

// Room is the locked room.
func (h Held) Room() id.RoomID { return h.room }

// Room takes the write lock of the room until the transaction of q ends,
// waiting for its holder. The lock is keyed by the room ID, so a room can
// be locked before it is read, or created. Two rooms may share a lock (the
// key is a 32-bit hash), which costs only waiting. On a pg.Pipeline the
// lock is sent with the next read.
func Room(ctx context.Context, q db.DBTX, room id.RoomID) (Held, error) {
	if err := db.New().RoomLock(ctx, q, string(room)); err != nil {
		return Held{}, fmt.Errorf("lock room %s: %w", room, err)
	}
	return Held{room: room}, nil
}
