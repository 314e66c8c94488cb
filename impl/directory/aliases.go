package directory

import (
	"context"
	"net/http"
	"strings"
	"unicode"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

var (
	errNotInRoom     = mxerr.New(mxerr.Forbidden, "you are not in this room")
	errAliasNotFound = mxerr.New(mxerr.NotFound, "room alias not found")
)

// SetAlias maps a local alias to a room (PUT /directory/room/{roomAlias}).
// The caller must be joined to the room, unless they are a server admin
// (Synapse's default rule; the spec leaves it to servers). Errors:
// M_INVALID_PARAM for another server's alias or a malformed one,
// M_FORBIDDEN when not in the room, M_NOT_FOUND for an admin naming an
// unknown room, M_ROOM_IN_USE (409) when the alias is taken.
func (s *Service) SetAlias(ctx context.Context, c Caller, alias id.RoomAlias, room id.RoomID) error {
	if !s.isLocal(alias) {
		return mxerr.New(mxerr.InvalidParam, "only aliases of %s can be made here", s.serverName)
	}
	local, _, _ := cutServer(string(alias))
	if strings.IndexFunc(local, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return mxerr.New(mxerr.InvalidParam, "room aliases may not contain spaces or control characters")
	}
	if c.IsAdmin {
		known, err := s.rooms.Known(ctx, room)
		if err != nil {
			return err
		}
		if !known {
			return mxerr.New(mxerr.NotFound, "room %s not found", room)
		}
	} else if err := s.mustBeJoined(ctx, room, c.User); err != nil {
		return err
	}
	err := s.rooms.SetAlias(ctx, alias, room, c.User)
	if e := mxerr.As(err); e != nil && e.Code == mxerr.RoomInUse {
		return e.WithStatus(http.StatusConflict)
	}
	return err
}

// ResolveAlias returns the room an alias points at and servers that can
// help join it (GET /directory/room/{roomAlias}): the servers of its joined
// members, this one first. Other servers' aliases go to Remote, and are
// M_NOT_FOUND without one.
func (s *Service) ResolveAlias(ctx context.Context, alias id.RoomAlias) (id.RoomID, []string, error) {
	if !s.isLocal(alias) {
		if s.remote == nil {
			return "", nil, errAliasNotFound
		}
		return s.remote.ResolveAlias(ctx, alias)
	}
	info, err := s.rooms.Alias(ctx, alias)
	if err != nil {
		return "", nil, err
	}
	servers, err := s.rooms.JoinedServers(ctx, info.Room)
	if err != nil {
		return "", nil, err
	}
	if len(servers) == 0 {
		servers = []string{s.serverName}
	}
	return info.Room, servers, nil
}

// DeleteAlias removes a local alias (DELETE /directory/room/{roomAlias}):
// its creator may, as may a member of its room with the power to send
// m.room.canonical_alias, and server admins (Synapse's rules). The room's
// m.room.canonical_alias is left as it is: the spec lets servers update it,
// and hearth does not send events on a user's behalf for this. Errors:
// M_NOT_FOUND (unknown alias, or another server's), M_FORBIDDEN.
func (s *Service) DeleteAlias(ctx context.Context, c Caller, alias id.RoomAlias) error {
	if !s.isLocal(alias) {
		return errAliasNotFound
	}
	info, err := s.rooms.Alias(ctx, alias)
	if err != nil {
		return err
	}
	if !c.IsAdmin && info.Creator != c.User {
		if err := s.mayEditDirectory(ctx, info.Room, c.User); err != nil {
			return mxerr.New(mxerr.Forbidden, "only the alias's creator, or a moderator of its room, may delete it")
		}
	}
	return s.rooms.DeleteAlias(ctx, alias, info.Room)
}

// LocalAliases lists a room's local aliases (GET /rooms/{roomId}/aliases)
// for its joined members, anyone when its history is world-readable, and
// server admins; others (and unknown rooms) get M_FORBIDDEN.
func (s *Service) LocalAliases(ctx context.Context, c Caller, room id.RoomID) ([]id.RoomAlias, error) {
	if !c.IsAdmin {
		m, err := s.rooms.Membership(ctx, room, c.User)
		if err != nil {
			return nil, err
		}
		if m != event.MembershipJoin {
			sum, err := s.summary(ctx, room)
			if err != nil && mxerr.CodeOf(err) != mxerr.NotFound {
				return nil, err
			}
			if sum == nil || !sum.WorldReadable() {
				return nil, errNotInRoom
			}
		}
	}
	return s.rooms.LocalAliases(ctx, room)
}

// mustBeJoined answers M_FORBIDDEN unless user is joined to room.
func (s *Service) mustBeJoined(ctx context.Context, room id.RoomID, user id.UserID) error {
	m, err := s.rooms.Membership(ctx, room, user)
	if err != nil {
		return err
	}
	if m != event.MembershipJoin {
		return errNotInRoom
	}
	return nil
}

// mayEditDirectory is Synapse's rule for changing a room's place in the
// directory: a joined member with the power to send m.room.canonical_alias.
func (s *Service) mayEditDirectory(ctx context.Context, room id.RoomID, user id.UserID) error {
	if err := s.mustBeJoined(ctx, room, user); err != nil {
		return err
	}
	ok, err := s.rooms.HasPowerFor(ctx, room, user, event.StateCanonicalAlias)
	if err != nil {
		return err
	}
	if !ok {
		return mxerr.New(mxerr.Forbidden, "you need the power to send m.room.canonical_alias events in this room")
	}
	return nil
}
