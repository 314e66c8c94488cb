package rooms

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/lock"
	"github.com/hearth-hs/hearth/impl/rooms/state"
)

// room is a room as the write path sees it, read under the room's lock and
// kept up to date as events are appended in the same transaction.
type room struct {
	held     lock.Held
	id       id.RoomID
	version  id.RoomVersion
	latest   []events.NID
	snapshot state.SnapshotNID
	maxDepth int64
}

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

// lockRoomTx takes the room's write lock and reads the room under it; an
// unknown room is notFound.
func (s *Service) lockRoomTx(ctx context.Context, tx pgx.Tx, roomID id.RoomID, notFound error) (*room, error) {
	r, err := s.roomNID(ctx, tx, roomID, notFound)
	if err != nil {
		return nil, err
	}
	held, err := lock.Room(ctx, tx, r.RoomNid)
	if err != nil {
		return nil, err
	}
	// Read again: the row may have moved while we waited for the lock.
	r, err = s.q.RoomByNID(ctx, tx, r.RoomNid)
	if err != nil {
		return nil, fmt.Errorf("reload room %s: %w", roomID, err)
	}
	return roomFromRow(held, r), nil
}

func roomFromRow(held lock.Held, r db.Room) *room {
	latest := make([]events.NID, len(r.LatestEventNids))
	for i, n := range r.LatestEventNids {
		latest[i] = events.NID(n)
	}
	rm := &room{held: held, id: id.RoomID(r.RoomID), version: id.RoomVersion(r.RoomVersion), latest: latest, maxDepth: r.MaxDepth}
	if r.CurrentSnapshotNid != nil {
		rm.snapshot = state.SnapshotNID(*r.CurrentSnapshotNid)
	}
	return rm
}
