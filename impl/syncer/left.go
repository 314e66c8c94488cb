package syncer

import (
	"context"

	"maunium.net/go/mautrix/event"

	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/rooms/state"
	"github.com/hearth-hs/hearth/impl/stream"
)

// leftRooms fills the leave section: each room's timeline up to the user's
// leave (or ban), and the state then.
func (s *Service) leftRooms(ctx context.Context, r Request, f *filter.Filter, since stream.Pos, left []*membership, resp *response) error {
	if len(left) == 0 {
		return nil
	}
	limit := s.timelineLimit(f)
	uptos := make([]stream.Pos, len(left))
	for i, m := range left {
		uptos[i] = stream.Pos(m.StreamPos)
	}
	from := since
	if r.FullState || since == 0 {
		from = 0
	}
	windows, err := s.timelines(ctx, left, from, uptos, limit)
	if err != nil {
		return err
	}
	fills := make([]*roomFill, 0, len(left))
	for _, m := range left {
		room := &leftRoom{}
		rf := &roomFill{m: m, w: windows[m.RoomNid], upto: stream.Pos(m.StreamPos), timeline: &room.Timeline, state: &eventList{}}
		if r.UseStateAfter {
			room.StateAfter = rf.state
		} else {
			room.State = rf.state
		}
		resp.leave[m.id] = room
		fills = append(fills, rf)
	}
	return s.fill(ctx, r, f, since, event.MembershipLeave, fills)
}

// strippedKeys are the state a user sees of a room they are invited to or
// knocked on: enough to show it and decide.
var strippedKeys = map[string]bool{
	event.StateCreate.Type:         true,
	event.StateJoinRules.Type:      true,
	event.StateRoomName.Type:       true,
	event.StateRoomAvatar.Type:     true,
	event.StateCanonicalAlias.Type: true,
	event.StateEncryption.Type:     true,
	event.StateTopic.Type:          true,
}

// stripped fills an invite or knock: the room's stripped state and the
// user's own member event.
func (s *Service) stripped(ctx context.Context, r Request, m *membership, resp *response) error {
	snap := state.SnapshotNID(0)
	if m.CurrentSnapshotNid != nil {
		snap = state.SnapshotNID(*m.CurrentSnapshotNid)
	}
	evs, err := s.d.Rooms.StateEvents(ctx, snap, func(k state.Key) bool {
		return strippedKeys[k.Type] && k.StateKey == "" || (k.Type == event.StateMember.Type && k.StateKey == string(r.User))
	})
	if err != nil {
		return err
	}
	list := &eventList{Events: make([]rawEvent, 0, len(evs))}
	for _, e := range evs {
		list.Events = append(list.Events, strippedEvent(e))
	}
	if event.Membership(m.Membership) == event.MembershipInvite {
		resp.invite[m.id] = &invitedRoom{InviteState: list}
	} else {
		resp.knock[m.id] = &knockedRoom{KnockState: list}
	}
	return nil
}
