package rooms

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
)

var errAliasTaken = mxerr.New(mxerr.RoomInUse, "room alias already taken")

// insertAliasTx maps a local alias to a room.
func (s *Service) insertAliasTx(ctx context.Context, q db.DBTX, alias id.RoomAlias, room id.RoomID, creator id.UserID) error {
	_, err := s.q.AliasInsert(ctx, q, db.AliasInsertParams{Alias: string(alias), RoomID: string(room), Creator: string(creator)})
	if pg.IsUniqueViolation(err, "room_aliases_pkey") {
		return errAliasTaken
	}
	if err != nil {
		return fmt.Errorf("insert alias %s: %w", alias, err)
	}
	return nil
}

// ResolveAlias returns the room a local alias points at, or M_NOT_FOUND.
func (s *Service) ResolveAlias(ctx context.Context, alias id.RoomAlias) (id.RoomID, error) {
	a, err := s.q.AliasGet(ctx, s.pool, string(alias))
	if pg.IsNoRows(err) {
		return "", mxerr.New(mxerr.NotFound, "room alias %s not found", alias)
	}
	if err != nil {
		return "", fmt.Errorf("resolve alias %s: %w", alias, err)
	}
	return id.RoomID(a.RoomID), nil
}
