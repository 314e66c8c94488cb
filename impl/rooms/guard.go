package rooms

import (
	"context"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// JoinGuard says whether users may come into a room: impl/admin's blocked
// rooms refuse joins, invites and knocks with M_FORBIDDEN. It is asked
// before the room is looked up, so a blocked room this server no longer has
// (purged) is refused as blocked, not as unknown.
type JoinGuard interface {
	CheckJoin(ctx context.Context, room id.RoomID) error
}

// checkJoinGuard asks the guard about memberships that bring a user in;
// leaving, kicks and bans are always allowed.
func (s *Service) checkJoinGuard(ctx context.Context, room id.RoomID, m event.Membership) error {
	if s.joinGuard == nil {
		return nil
	}
	switch m {
	case event.MembershipJoin, event.MembershipInvite, event.MembershipKnock:
		return s.joinGuard.CheckJoin(ctx, room)
	}
	return nil
}
