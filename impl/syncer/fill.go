package syncer

import (
	"context"

	"maunium.net/go/mautrix/event"

	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/state"
	"github.com/hearth-hs/hearth/impl/stream"
)

// roomFill is one room being filled: its window, and where its timeline and
// state go.
type roomFill struct {
	m        *membership
	w        *roomWindow
	upto     stream.Pos
	timeline *timelineSection
	// state receives the state events (state, or state_after).
	state *eventList
	// kept and stateNIDs are worked out per room, then loaded and
	// rendered for all rooms at once.
	kept      []*events.Event
	stateNIDs []events.NID
}

// fill fills rooms' timelines and state, with one visibility check, one
// state load and one render for all of them: an initial sync of many rooms
// costs a handful of queries, not a handful per room.
func (s *Service) fill(ctx context.Context, r Request, f *filter.Filter, since stream.Pos, membershipNow event.Membership, rooms []*roomFill) error {
	var tf, sf *filter.RoomEventFilter
	if f.Room != nil {
		tf, sf = f.Room.Timeline, f.Room.State
	}
	var all []*events.Event
	for _, rf := range rooms {
		all = append(all, rf.w.events...)
	}
	visible, err := s.d.Timeline.Visible(ctx, r.User, membershipNow, all)
	if err != nil {
		return err
	}
	seen := make(map[events.NID]bool, len(visible))
	for _, e := range visible {
		seen[e.NID] = true
	}
	var stateNIDs []events.NID
	for _, rf := range rooms {
		for _, e := range rf.w.events {
			if seen[e.NID] && (tf == nil || tf.Match(fields(e))) {
				rf.kept = append(rf.kept, e)
			}
		}
		rf.timeline.Limited = rf.w.limited
		if len(rf.w.events) > 0 {
			rf.timeline.PrevBatch = (rf.w.events[0].Pos - 1).Token()
		} else {
			rf.timeline.PrevBatch = rf.upto.Token()
		}
		if rf.stateNIDs, err = s.stateOf(ctx, r, sf, since, rf); err != nil {
			return err
		}
		stateNIDs = append(stateNIDs, rf.stateNIDs...)
	}
	stateEvents, err := events.ByNIDs(ctx, s.d.Pool, stateNIDs)
	if err != nil {
		return err
	}
	byNID := make(map[events.NID]*events.Event, len(stateEvents))
	for _, e := range stateEvents {
		byNID[e.NID] = e
	}
	// One render for every room's timeline and state.
	var batch []*events.Event
	for _, rf := range rooms {
		batch = append(batch, rf.kept...)
		for _, n := range rf.stateNIDs {
			if e := byNID[n]; e != nil {
				batch = append(batch, e)
			}
		}
	}
	rendered, err := s.render(ctx, r, f, batch)
	if err != nil {
		return err
	}
	i := 0
	for _, rf := range rooms {
		rf.timeline.Events = rendered[i : i+len(rf.kept) : i+len(rf.kept)]
		i += len(rf.kept)
		n := 0
		for _, nid := range rf.stateNIDs {
			if byNID[nid] != nil {
				n++
			}
		}
		rf.state.Events = rendered[i : i+n : i+n]
		i += n
	}
	return nil
}

// stateOf works out the state events a room section carries: the whole
// state for rooms sent whole, what changed across a gap otherwise; before
// the window's first event, or with use_state_after after its last.
func (s *Service) stateOf(ctx context.Context, r Request, sf *filter.RoomEventFilter, since stream.Pos, rf *roomFill) ([]events.NID, error) {
	var members map[string]bool
	if sf != nil && sf.LazyLoadMembers {
		members = lazyMembers(r.User, rf.kept)
	}
	keep := keepState(sf, members)
	evs := rf.w.events
	var at state.SnapshotNID
	var err error
	switch {
	case r.UseStateAfter && len(evs) > 0:
		at = state.SnapshotNID(evs[len(evs)-1].StateAfter)
	case len(evs) > 0:
		at = state.SnapshotNID(evs[0].StateBefore)
	default:
		if at, err = s.d.Rooms.SnapshotAt(ctx, rf.m.RoomNid, rf.upto); err != nil {
			return nil, err
		}
	}
	switch {
	case rf.m.fresh:
		return s.d.Rooms.StateNIDs(ctx, at, keep)
	case rf.w.limited || r.UseStateAfter:
		return s.stateDelta(ctx, rf.m.RoomNid, since, at, keep)
	}
	return nil, nil
}
