package rooms

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms/lock"
)

// Purge deletes every row this server keeps of a room: its events, state,
// memberships, summary, local aliases and the room itself, in one
// transaction under the room's write lock, so that no write is half-applied
// around it. Afterwards the room is unknown here, as if it never existed;
// members should have left first (impl/admin's room deletion makes them).
// It reports how many events went; an unknown room is M_NOT_FOUND.
func (s *Service) Purge(ctx context.Context, room id.RoomID) (int64, error) {
	var n int64
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := lock.Room(ctx, tx, room); err != nil {
			return err
		}
		nid, err := s.q.PurgeRoomGet(ctx, tx, string(room))
		if pg.IsNoRows(err) {
			return errRoomNotFound
		}
		if err != nil {
			return fmt.Errorf("load room %s: %w", room, err)
		}
		// Children first: rows pointing at events, then events, then the
		// snapshots and the room they belong to.
		steps := []struct {
			what string
			run  func() error
		}{
			{"summary", func() error { return s.q.PurgeRoomSummary(ctx, tx, nid) }},
			{"current state", func() error { return s.q.PurgeRoomCurrentState(ctx, tx, nid) }},
			{"memberships", func() error { return s.q.PurgeRoomMemberships(ctx, tx, nid) }},
			{"events", func() (err error) { n, err = s.q.PurgeRoomEvents(ctx, tx, nid); return err }},
			{"state snapshots", func() error { return s.q.PurgeRoomSnapshots(ctx, tx, nid) }},
			{"aliases", func() error { return s.q.PurgeRoomAliases(ctx, tx, string(room)) }},
			{"room", func() error { return s.q.PurgeRoomRow(ctx, tx, nid) }},
		}
		for _, st := range steps {
			if err := st.run(); err != nil {
				return fmt.Errorf("purge %s of %s: %w", st.what, room, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.log.InfoContext(ctx, "purged room", "room_id", room, "events", n)
	return n, nil
}
