package rooms

import (
	"context"
	"errors"
	"fmt"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
)

// This file holds what the room directory (impl/directory) needs of the room
// engine: the local alias map, the published flag and the power questions
// its permission rules ask.

// AliasInfo is where a local alias points, and who made it.
type AliasInfo struct {
	Room    id.RoomID
	Creator id.UserID
}

var errAliasNotFound = mxerr.New(mxerr.NotFound, "room alias not found")

// Alias returns the mapping of a local alias, or M_NOT_FOUND.
func (s *Service) Alias(ctx context.Context, alias id.RoomAlias) (AliasInfo, error) {
	a, err := s.q.AliasGet(ctx, s.pool, string(alias))
	if pg.IsNoRows(err) {
		return AliasInfo{}, errAliasNotFound
	}
	if err != nil {
		return AliasInfo{}, fmt.Errorf("read alias %s: %w", alias, err)
	}
	return AliasInfo{Room: id.RoomID(a.RoomID), Creator: id.UserID(a.Creator)}, nil
}

// SetAlias maps a local alias to a room, for creator. A taken alias is
// M_ROOM_IN_USE. It does not check that the room exists: callers do.
func (s *Service) SetAlias(ctx context.Context, alias id.RoomAlias, room id.RoomID, creator id.UserID) error {
	return s.insertAliasTx(ctx, s.pool, alias, room, creator)
}

// DeleteAlias removes a local alias while it still points at room (the
// room the caller's right to delete it was checked against); otherwise it
// answers M_NOT_FOUND. The room's m.room.canonical_alias is left as it is.
func (s *Service) DeleteAlias(ctx context.Context, alias id.RoomAlias, room id.RoomID) error {
	n, err := s.q.AliasDeleteOfRoom(ctx, s.pool, db.AliasDeleteOfRoomParams{Alias: string(alias), RoomID: string(room)})
	if err != nil {
		return fmt.Errorf("delete alias %s: %w", alias, err)
	}
	if n == 0 {
		return errAliasNotFound
	}
	return nil
}

// LocalAliases lists the local aliases of a room, in order.
func (s *Service) LocalAliases(ctx context.Context, room id.RoomID) ([]id.RoomAlias, error) {
	rows, err := s.q.AliasesOfRoom(ctx, s.pool, string(room))
	if err != nil {
		return nil, fmt.Errorf("list aliases of %s: %w", room, err)
	}
	out := make([]id.RoomAlias, len(rows))
	for i, a := range rows {
		out[i] = id.RoomAlias(a)
	}
	return out, nil
}

// JoinedServers lists the servers with members joined to the room, this
// server first when it has any.
func (s *Service) JoinedServers(ctx context.Context, room id.RoomID) ([]string, error) {
	servers, err := s.q.RoomJoinedServers(ctx, s.pool, string(room))
	if err != nil {
		return nil, fmt.Errorf("list servers of %s: %w", room, err)
	}
	for i, srv := range servers {
		if srv == s.serverName {
			copy(servers[1:i+1], servers[:i])
			servers[0] = srv
			break
		}
	}
	return servers, nil
}

// Known tells whether this server has the room.
func (s *Service) Known(ctx context.Context, room id.RoomID) (bool, error) {
	_, err := s.roomNID(ctx, s.pool, room, errUnknownRoom)
	if errors.Is(err, errUnknownRoom) {
		return false, nil
	}
	return err == nil, err
}

// Published tells whether the room is in the public room list; an unknown
// room is M_NOT_FOUND.
func (s *Service) Published(ctx context.Context, room id.RoomID) (bool, error) {
	r, err := s.roomNID(ctx, s.pool, room, errRoomNotFound)
	if err != nil {
		return false, err
	}
	return r.Published, nil
}

// SetPublished adds the room to the public room list or takes it off; an
// unknown room is M_NOT_FOUND.
func (s *Service) SetPublished(ctx context.Context, room id.RoomID, published bool) error {
	n, err := s.q.RoomSetPublished(ctx, s.pool, db.RoomSetPublishedParams{RoomID: string(room), Published: published})
	if err != nil {
		return fmt.Errorf("publish %s: %w", room, err)
	}
	if n == 0 {
		return errRoomNotFound
	}
	return nil
}

var errRoomNotFound = mxerr.New(mxerr.NotFound, "room not found")

// HasPowerFor tells whether user's power in the room's current state
// reaches the level needed to send events of evType (a state type when
// evType's class is StateEventType). It says nothing of membership. An
// unknown room is M_NOT_FOUND.
func (s *Service) HasPowerFor(ctx context.Context, room id.RoomID, user id.UserID, evType event.Type) (bool, error) {
	r, err := s.roomNID(ctx, s.pool, room, errRoomNotFound)
	if err != nil {
		return false, err
	}
	pl, err := s.powerLevels(ctx, s.pool, r.RoomNid, room, id.RoomVersion(r.RoomVersion))
	if err != nil {
		return false, err
	}
	return pl.GetUserLevel(user) >= pl.GetEventLevel(evType), nil
}

// JoinedAny tells whether user is joined to any of the rooms.
func (s *Service) JoinedAny(ctx context.Context, user id.UserID, rooms []id.RoomID) (bool, error) {
	if len(rooms) == 0 {
		return false, nil
	}
	ids := make([]string, len(rooms))
	for i, r := range rooms {
		ids[i] = string(r)
	}
	in, err := s.q.MembershipShareRoom(ctx, s.pool, db.MembershipShareRoomParams{UserID: user, RoomIds: ids})
	if err != nil {
		return false, fmt.Errorf("check rooms of %s: %w", user, err)
	}
	return in, nil
}
