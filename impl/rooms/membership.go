package rooms

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms/lock"
)

// MembershipParams is a membership change: sender sets target's membership.
type MembershipParams struct {
	Room   id.RoomID
	Sender id.UserID
	Target id.UserID
	Reason string
	// IsDirect marks an invite as one to a direct chat.
	IsDirect bool
}

// Join joins sender to a room this server has. Rooms with restricted join
// rules are joined through a local member allowed to invite when the user
// is in one of the allowed rooms.
func (s *Service) Join(ctx context.Context, p MembershipParams) error {
	p.Target = p.Sender
	return s.setMembership(ctx, p, event.MembershipJoin, mxerr.New(mxerr.NotFound, "no known servers for this room"))
}

// Invite invites target.
func (s *Service) Invite(ctx context.Context, p MembershipParams) error {
	return s.setMembership(ctx, p, event.MembershipInvite, errUnknownRoom)
}

// Leave leaves a room, rejects an invite or withdraws a knock.
func (s *Service) Leave(ctx context.Context, p MembershipParams) error {
	p.Target = p.Sender
	return s.setMembership(ctx, p, event.MembershipLeave, errUnknownRoom)
}

// Kick removes target from the room.
func (s *Service) Kick(ctx context.Context, p MembershipParams) error {
	if p.Target == p.Sender {
		return mxerr.New(mxerr.Forbidden, "use leave to leave a room")
	}
	return s.setMembership(ctx, p, event.MembershipLeave, errUnknownRoom)
}

// Ban bans target.
func (s *Service) Ban(ctx context.Context, p MembershipParams) error {
	return s.setMembership(ctx, p, event.MembershipBan, errUnknownRoom)
}

// Unban lifts target's ban; target may join again if the join rules allow.
func (s *Service) Unban(ctx context.Context, p MembershipParams) error {
	m, err := s.Membership(ctx, p.Room, p.Target)
	if err != nil {
		return err
	}
	if m != event.MembershipBan {
		return mxerr.New(mxerr.Forbidden, "%s is not banned", p.Target)
	}
	return s.setMembership(ctx, p, event.MembershipLeave, errUnknownRoom)
}

// Knock asks to join a room whose join rules allow knocking.
func (s *Service) Knock(ctx context.Context, p MembershipParams) error {
	p.Target = p.Sender
	return s.setMembership(ctx, p, event.MembershipKnock, mxerr.New(mxerr.NotFound, "no known servers for this room"))
}

// Forget hides a room the user has left from their history.
func (s *Service) Forget(ctx context.Context, room id.RoomID, user id.UserID) error {
	n, err := s.q.MembershipForget(ctx, s.pool, db.MembershipForgetParams{RoomID: string(room), UserID: user})
	if err != nil {
		return fmt.Errorf("forget %s: %w", room, err)
	}
	if n == 0 {
		m, err := s.Membership(ctx, room, user)
		if err != nil {
			return err
		}
		if m == event.MembershipJoin || m == event.MembershipInvite || m == event.MembershipKnock {
			return mxerr.New(mxerr.Unknown, "leave the room before forgetting it").WithStatus(400)
		}
		return mxerr.New(mxerr.NotFound, "you were never in this room")
	}
	return nil
}

// Membership returns user's current membership of room ("leave" when none).
func (s *Service) Membership(ctx context.Context, room id.RoomID, user id.UserID) (event.Membership, error) {
	m, err := s.q.MembershipGet(ctx, s.pool, db.MembershipGetParams{RoomID: string(room), UserID: user})
	if pg.IsNoRows(err) {
		return event.MembershipLeave, nil
	}
	if err != nil {
		return "", fmt.Errorf("read membership of %s in %s: %w", user, room, err)
	}
	return event.Membership(m.Membership), nil
}

func (s *Service) setMembership(ctx context.Context, p MembershipParams, m event.Membership, unknown error) error {
	if err := s.checkJoinGuard(ctx, p.Room, m); err != nil {
		return err
	}
	ne := newEvent{Type: event.StateMember.Type, StateKey: ptr(string(p.Target)), Sender: p.Sender}
	if err := s.intern(ctx, &ne); err != nil {
		return err
	}
	c := map[string]any{}
	if err := json.Unmarshal(s.memberContent(ctx, p.Target, m, p.Reason), &c); err != nil {
		return err
	}
	if m == event.MembershipInvite && p.IsDirect {
		c["is_direct"] = true
	}
	return s.write(ctx, p.Room, func(q *pg.Pipeline, held lock.Held) error {
		r, err := s.roomNID(ctx, q, p.Room, unknown)
		if err != nil {
			return err
		}
		if m == event.MembershipJoin {
			via, err := s.restrictedJoinVia(ctx, q, r, p.Sender)
			if err != nil {
				return err
			}
			if via != "" {
				c["join_authorised_via_users_server"] = string(via)
			}
		}
		ne.Content, err = json.Marshal(c)
		if err != nil {
			return err
		}
		_, err = s.appendTx(ctx, q, held, ne)
		return err
	})
}

// restrictedJoinVia picks, for a join to a room with restricted join rules
// that user is not invited to, a local member with the power to invite,
// once the user is joined to one of the rooms the rules allow. It returns ""
// when the join needs no such authorisation.
func (s *Service) restrictedJoinVia(ctx context.Context, q db.DBTX, room db.Room, user id.UserID) (id.UserID, error) {
	r := struct {
		id      id.RoomID
		version id.RoomVersion
		nid     int64
	}{id.RoomID(room.RoomID), id.RoomVersion(room.RoomVersion), room.RoomNid}
	rules, err := s.currentEvent(ctx, q, r.nid, r.id, r.version, event.StateJoinRules.Type, "")
	if err != nil || rules == nil {
		return "", err
	}
	jr := gjson.GetBytes(rules.Content(), "join_rule").Str
	if (jr != "restricted" || !r.version.RestrictedJoins()) && (jr != "knock_restricted" || !r.version.KnockRestricted()) {
		return "", nil
	}
	current, err := s.q.MembershipGet(ctx, q, db.MembershipGetParams{RoomID: string(r.id), UserID: user})
	if err == nil && (current.Membership == "invite" || current.Membership == "join") {
		return "", nil // invited or already in: the auth rules allow it
	}
	var allowed []string
	for _, a := range gjson.GetBytes(rules.Content(), "allow").Array() {
		if a.Get("type").Str == "m.room_membership" {
			allowed = append(allowed, a.Get("room_id").Str)
		}
	}
	in, err := s.q.MembershipShareRoom(ctx, q, db.MembershipShareRoomParams{UserID: user, RoomIds: allowed})
	if err != nil {
		return "", fmt.Errorf("check allowed rooms: %w", err)
	}
	if !in {
		return "", mxerr.New(mxerr.Forbidden, "you are not in any of the rooms this room allows joining from")
	}
	pl, err := s.powerLevels(ctx, q, r.nid, r.id, r.version)
	if err != nil {
		return "", err
	}
	members, err := s.q.MembershipUsersOfRoom(ctx, q, r.nid)
	if err != nil {
		return "", fmt.Errorf("read members: %w", err)
	}
	for _, mem := range members {
		if mem.Membership == "join" && s.IsLocal(mem.UserID) && pl.GetUserLevel(mem.UserID) >= pl.Invite() {
			return mem.UserID, nil
		}
	}
	return "", mxerr.New(mxerr.UnableToAuthoriseJoin, "no member of this server may let you in")
}

func ptr[T any](v T) *T { return &v }
