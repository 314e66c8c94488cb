package rooms

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms/lock"
)

// errUnknownRoom is answered to writes into rooms this server does not
// have; it does not say whether the room exists elsewhere.
var errUnknownRoom = mxerr.New(mxerr.Forbidden, "you are not in this room")

// roomNID finds a room by ID, or answers notFound.
func (s *Service) roomNID(ctx context.Context, q db.DBTX, roomID id.RoomID, notFound error) (db.Room, error) {
	r, err := s.q.RoomByID(ctx, q, string(roomID))
	if errors.Is(err, pgx.ErrNoRows) {
		return db.Room{}, notFound
	}
	if err != nil {
		return db.Room{}, fmt.Errorf("load room %s: %w", roomID, err)
	}
	return r, nil
}

// write runs fn in a transaction holding the room's write lock, on a
// pipeline: BEGIN, the lock and the append's reads go out together, and its
// writes with COMMIT, so that a send takes two round trips.
func (s *Service) write(ctx context.Context, room id.RoomID, fn func(*pg.Pipeline, lock.Held) error) error {
	return pg.InPipelineTx(ctx, s.pool, func(pipe *pg.Pipeline) error {
		held, err := lock.Room(ctx, pipe, room)
		if err != nil {
			return err
		}
		return fn(pipe, held)
	})
}
