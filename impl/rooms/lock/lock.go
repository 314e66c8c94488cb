// Package lock holds the per-room write lock: a PostgreSQL advisory lock,
// so that writers in every hearth process sharing the database take turns
// on a room. Code that must run under the lock takes a Held, which only
// Room makes.
package lock

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-hs/hearth/gen/db"
)

// Held proves that the current transaction holds the write lock of a room.
type Held struct {
	roomNID int64
}

// RoomNID is the room the lock is for.
func (h Held) RoomNID() int64 { return h.roomNID }

// Room takes the write lock of the room, waiting for its holder, until tx
// ends. Two different rooms may share a lock (the key space is 31 bits),
// which costs only waiting.
func Room(ctx context.Context, tx pgx.Tx, roomNID int64) (Held, error) {
	if err := db.New().RoomLock(ctx, tx, roomNID); err != nil {
		return Held{}, fmt.Errorf("lock room %d: %w", roomNID, err)
	}
	return Held{roomNID: roomNID}, nil
}
