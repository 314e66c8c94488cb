package rooms

import (
	"context"
	"fmt"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/lock"
)

// UpdateMemberProfile carries a local user's changed profile (display name
// and avatar, from Deps.Profiles) into the rooms they are joined to: in
// each room whose join event shows another profile it sends a new join
// event with the current one, as a member may always do for themself.
// Rooms are independent: one that fails is logged and skipped, and the
// others are still updated. It returns how many rooms it updated; an error
// only when the rooms or the profile cannot be read at all.
func (s *Service) UpdateMemberProfile(ctx context.Context, user id.UserID) (int, error) {
	if s.profiles == nil || !s.IsLocal(user) {
		return 0, nil
	}
	joined, err := s.JoinedRooms(ctx, user)
	if err != nil || len(joined) == 0 {
		return 0, err
	}
	name, avatar, err := s.profiles.Profile(ctx, user)
	if err != nil {
		return 0, fmt.Errorf("read profile of %s: %w", user, err)
	}
	ne := newEvent{Type: event.StateMember.Type, StateKey: ptr(string(user)), Sender: user}
	if err := s.intern(ctx, &ne); err != nil {
		return 0, err
	}
	ne.Content = s.memberContent(ctx, user, event.MembershipJoin, "")
	updated := 0
	for _, room := range joined {
		sent, err := s.updateMemberProfile(ctx, room, ne, name, avatar)
		if err != nil {
			s.log.WarnContext(ctx, "update member event with the new profile", "room_id", room, "user_id", user, "err", err)
			continue
		}
		if sent {
			updated++
		}
	}
	return updated, nil
}

// updateMemberProfile sends ne (a join event carrying the new profile) to
// room unless the user's join event there already shows that profile, or
// the user is no longer joined by the time the room is locked.
func (s *Service) updateMemberProfile(ctx context.Context, room id.RoomID, ne newEvent, name, avatar string) (bool, error) {
	sent := false
	err := s.write(ctx, room, func(q *pg.Pipeline, held lock.Held) error {
		m, err := s.q.MembershipGet(ctx, q, db.MembershipGetParams{RoomID: string(room), UserID: ne.Sender})
		if pg.IsNoRows(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read membership: %w", err)
		}
		if m.Membership != string(event.MembershipJoin) {
			return nil
		}
		evs, err := events.ByNIDs(ctx, q, []events.NID{events.NID(m.EventNid)})
		if err != nil {
			return err
		}
		if len(evs) == 1 {
			c := evs[0].Content()
			if gjson.GetBytes(c, "displayname").Str == name && gjson.GetBytes(c, "avatar_url").Str == avatar {
				return nil
			}
		}
		if _, err := s.appendTx(ctx, q, held, ne); err != nil {
			return err
		}
		sent = true
		return nil
	})
	return sent, err
}
