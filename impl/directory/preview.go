package directory

import (
	"context"
	"errors"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// RoomSummary previews a room without joining it (GET
// /_matrix/client/v1/room_summary/{roomIdOrAlias}, v1.15): it returns the
// room's summary and the caller's membership ("" when unauthenticated). The
// caller may preview rooms they are joined to, invited to or knocking on,
// rooms anyone may join, knock on or read, and restricted rooms they could
// join through one of the allowed rooms; unauthenticated callers only the
// public, knockable and world-readable ones (the spec's conditions for
// unauthenticated access). Every other room is M_NOT_FOUND, as unknown
// rooms are, so that a preview does not tell a private room exists. Rooms
// this server is not in go to Remote with via.
func (s *Service) RoomSummary(ctx context.Context, c Caller, room id.RoomID, via []string) (*Summary, event.Membership, error) {
	sum, err := s.summary(ctx, room)
	if errors.Is(err, errRoomNotFound) && s.remote != nil {
		sum, err = s.remote.Summary(ctx, room, via)
	}
	if err != nil {
		return nil, "", err
	}
	var membership event.Membership
	if c.User != "" {
		if membership, err = s.rooms.Membership(ctx, room, c.User); err != nil {
			return nil, "", err
		}
	}
	switch {
	case membership == event.MembershipJoin || membership == event.MembershipInvite || membership == event.MembershipKnock:
	case sum.JoinRule == "public" || sum.JoinRule == "knock" || sum.JoinRule == "knock_restricted" || sum.WorldReadable():
	case c.User != "" && (sum.JoinRule == "restricted"):
		in, err := s.rooms.JoinedAny(ctx, c.User, sum.AllowedRoomIDs)
		if err != nil {
			return nil, "", err
		}
		if !in {
			return nil, "", errRoomNotFound
		}
	default:
		return nil, "", errRoomNotFound
	}
	return sum, membership, nil
}
