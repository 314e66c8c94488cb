package syncer

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/state"
	"github.com/hearth-hs/hearth/impl/stream"
)

// joinedRooms fills the join section: rooms with events in the window,
// rooms the user just joined, and rooms with only ephemeral or account
// data news.
func (s *Service) joinedRooms(ctx context.Context, r Request, f *filter.Filter, since, upto stream.Pos, joined []*membership, resp *response) error {
	if len(joined) == 0 {
		return nil
	}
	limit := s.timelineLimit(f)

	// Which rooms have news: all of them when fresh, else those with events
	// in the window.
	var fresh, stale []*membership
	for _, m := range joined {
		if m.fresh {
			fresh = append(fresh, m)
		} else {
			stale = append(stale, m)
		}
	}
	active := map[int64]bool{}
	if len(stale) > 0 {
		nids := make([]int64, len(stale))
		for i, m := range stale {
			nids[i] = m.RoomNid
		}
		found, err := s.q.SyncActiveRooms(ctx, s.d.Pool, db.SyncActiveRoomsParams{Since: int64(since), Upto: int64(upto), RoomNids: nids})
		if err != nil {
			return fmt.Errorf("find active rooms: %w", err)
		}
		for _, n := range found {
			active[n] = true
		}
	}
	var busy []*membership
	for _, m := range stale {
		if active[m.RoomNid] {
			busy = append(busy, m)
		}
	}
	windows, err := s.timelines(ctx, fresh, 0, uptosOf(fresh, upto), limit)
	if err != nil {
		return err
	}
	more, err := s.timelines(ctx, busy, since, uptosOf(busy, upto), limit)
	if err != nil {
		return err
	}
	for k, v := range more {
		windows[k] = v
	}

	all := make([]id.RoomID, len(joined))
	for i, m := range joined {
		all[i] = m.id
	}
	ephemeral, accountData, err := s.roomExtras(ctx, r, f, since, upto, all)
	if err != nil {
		return err
	}
	var summarise []*membership
	var fills []*roomFill
	for _, m := range joined {
		w := windows[m.RoomNid]
		if w == nil && len(ephemeral[m.id]) == 0 && len(accountData[m.id]) == 0 {
			continue
		}
		room := &joinedRoom{Ephemeral: ephemeral[m.id], AccountData: accountData[m.id]}
		resp.join[m.id] = room
		if w == nil {
			w = &roomWindow{m: m}
		}
		rf := &roomFill{m: m, w: w, upto: upto, timeline: &room.Timeline, state: &eventList{}}
		if r.UseStateAfter {
			room.StateAfter = rf.state
		} else {
			room.State = rf.state
		}
		fills = append(fills, rf)
		if m.fresh || hasMemberChange(w.events) {
			summarise = append(summarise, m)
		}
	}
	if err := s.fill(ctx, r, f, since, event.MembershipJoin, fills); err != nil {
		return err
	}
	if err := s.unreadCounts(ctx, r.User, f, upto, resp); err != nil {
		return err
	}
	return s.summaries(ctx, r.User, summarise, resp)
}

func uptosOf(ms []*membership, upto stream.Pos) []stream.Pos {
	out := make([]stream.Pos, len(ms))
	for i := range out {
		out[i] = upto
	}
	return out
}

// stateDelta is the state that changed between the room's state at since
// and snapshot to.
func (s *Service) stateDelta(ctx context.Context, roomNID int64, since stream.Pos, to state.SnapshotNID, keep func(state.Key) bool) ([]events.NID, error) {
	from, err := s.d.Rooms.SnapshotAt(ctx, roomNID, since)
	if err != nil {
		return nil, err
	}
	return s.d.Rooms.StateDelta(ctx, from, to, keep)
}

func hasMemberChange(evs []*events.Event) bool {
	for _, e := range evs {
		if e.Type == event.StateMember.Type && e.StateKey != nil {
			return true
		}
	}
	return false
}

// fields are what a room event filter looks at.
func fields(e *events.Event) filter.Fields {
	return filter.Fields{Room: e.RoomID, Sender: e.Sender, Type: e.Type, HasURL: filter.HasURL(e.Content())}
}
