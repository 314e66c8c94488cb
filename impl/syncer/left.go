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

// stripped fills an invite or knock: the room's stripped state and the
// user's own member event.
func (s *Service) stripped(ctx context.Context, r Request, m *membership, resp *response) error {
	snap := state.SnapshotNID(0)
	if m.CurrentSnapshotNid != nil {
		snap = state.SnapshotNID(*m.CurrentSnapshotNid)
	}
	evs, err := s.d.Rooms.StrippedState(ctx, snap, r.User)
	if err != nil {
		return err
	}
	list := &eventList{Events: evs}
	if event.Membership(m.Membership) == event.MembershipInvite {
		resp.invite[m.id] = &invitedRoom{InviteState: list}
	} else {
		resp.knock[m.id] = &knockedRoom{KnockState: list}
	}
	return nil
}
