package admin

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms"
)

// Blocklist is the set of blocked rooms: rooms nobody may join, be invited
// to or knock on here. The room engine asks it on every such membership
// change (it is its rooms.JoinGuard), so it is built before the engine.
type Blocklist struct {
	pool *pgxpool.Pool
	q    *db.Queries
}

var _ rooms.JoinGuard = (*Blocklist)(nil)

// NewBlocklist returns the blocklist over pool.
func NewBlocklist(pool *pgxpool.Pool) *Blocklist { return &Blocklist{pool: pool, q: db.New()} }

var errRoomBlocked = mxerr.New(mxerr.Forbidden, "this room has been blocked on this server")

// CheckJoin answers M_FORBIDDEN for blocked rooms.
func (b *Blocklist) CheckJoin(ctx context.Context, room id.RoomID) error {
	blocked, err := b.q.BlockedRoomExists(ctx, b.pool, string(room))
	if err != nil {
		return fmt.Errorf("check blocked room %s: %w", room, err)
	}
	if blocked {
		return errRoomBlocked
	}
	return nil
}

func (b *Blocklist) set(ctx context.Context, room id.RoomID, block bool, by id.UserID) error {
	var err error
	if block {
		err = b.q.BlockedRoomInsert(ctx, b.pool, db.BlockedRoomInsertParams{RoomID: string(room), BlockedBy: string(by)})
	} else {
		err = b.q.BlockedRoomDelete(ctx, b.pool, string(room))
	}
	if err != nil {
		return fmt.Errorf("block room %s: %w", room, err)
	}
	return nil
}

// BlockRoom blocks or unblocks a room, known here or not (Synapse's PUT
// /_synapse/admin/v1/rooms/{roomId}/block).
func (s *Service) BlockRoom(ctx context.Context, actor accounts.Principal, room id.RoomID, block bool) error {
	if err := authorize(actor); err != nil {
		return err
	}
	if err := s.blocklist.set(ctx, room, block, actor.UserID); err != nil {
		return err
	}
	action := "room.block"
	if !block {
		action = "room.unblock"
	}
	s.audit(ctx, actor, action, string(room), nil)
	return nil
}

// RoomBlock tells whether a room is blocked, and by whom.
func (s *Service) RoomBlock(ctx context.Context, actor accounts.Principal, room id.RoomID) (bool, id.UserID, error) {
	if err := authorize(actor); err != nil {
		return false, "", err
	}
	r, err := s.q.BlockedRoomGet(ctx, s.pool, string(room))
	if pg.IsNoRows(err) {
		return false, "", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("read blocked room %s: %w", room, err)
	}
	return true, id.UserID(r.BlockedBy), nil
}
