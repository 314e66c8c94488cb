package slidingsync

import (
	"context"
	"fmt"
	"slices"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/state"
	"github.com/hearth-hs/hearth/impl/rooms/timeline"
	"github.com/hearth-hs/hearth/impl/stream"
)

// roomPlan is what a response sends of one room.
type roomPlan struct {
	lr       *listRoom
	cfg      *combined
	result   *roomResult
	initial  bool
	expanded bool
	// since and upto bound the room's timeline window.
	since, upto stream.Pos
	window      []*events.Event
	limited     bool
	kept        []*events.Event
	stateNIDs   []events.NID
	// stateChanged is set when the room's state changed since it was last
	// sent.
	stateChanged bool
}

// joinedOnce tells whether the user is or was in the room (and so may see
// its data, not only stripped state).
func (p *roomPlan) joinedOnce() bool {
	return p.lr.membership != event.MembershipInvite && p.lr.membership != event.MembershipKnock
}

// roomResults decides which matched rooms to send and builds their results
// in batches: one timeline read, one visibility check per membership, one
// state load and one render for all rooms.
func (s *Service) roomResults(ctx context.Context, r *Request, c *conn, upto stream.Pos, byID map[id.RoomID]*listRoom, matched map[id.RoomID]*combined, resp *Response) ([]sentRoom, error) {
	var plans []*roomPlan
	var sent []sentRoom
	for room, cfg := range matched {
		lr := byID[room]
		prev, had := c.rooms[string(room)]
		key := cfg.key()
		p := &roomPlan{lr: lr, cfg: cfg, upto: upto}
		if lr.membership != event.MembershipJoin {
			p.upto = stream.Pos(lr.MembershipPos)
		}
		switch {
		case !had || prev.ConfigKey != key || prev.Stripped == p.joinedOnce():
			// New, asked for differently, or no longer (or now) an invite.
			p.initial = true
		case cfg.timelineLimit > prev.TimelineLimit:
			p.expanded = true
		case lr.latest > prev.SentPos:
			p.since = prev.SentPos
		default:
			continue
		}
		p.result = &roomResult{Initial: p.initial, Expanded: p.expanded, Membership: string(lr.membership), Lists: cfg.lists}
		resp.Rooms[room] = p.result
		plans = append(plans, p)
		sent = append(sent, sentRoom{RoomID: string(room), SentPos: p.upto, TimelineLimit: cfg.timelineLimit, ConfigKey: key,
			Stripped: !p.joinedOnce()})
	}
	slices.SortFunc(plans, func(a, b *roomPlan) int { return compareStrings(string(a.lr.id), string(b.lr.id)) })

	var full []*roomPlan // rooms whose data the user may see
	for _, p := range plans {
		if p.joinedOnce() {
			full = append(full, p)
		} else if err := s.stripped(ctx, r, p); err != nil {
			return nil, err
		}
	}
	if err := s.windows(ctx, full); err != nil {
		return nil, err
	}
	if err := s.visibleTimelines(ctx, r, full); err != nil {
		return nil, err
	}
	if err := s.fillState(ctx, r, full); err != nil {
		return nil, err
	}
	if err := s.renderRooms(ctx, r, c, full); err != nil {
		return nil, err
	}
	if err := s.describe(ctx, r, upto, full); err != nil {
		return nil, err
	}
	return sent, nil
}

// windows reads every room's timeline window in one query.
func (s *Service) windows(ctx context.Context, plans []*roomPlan) error {
	if len(plans) == 0 {
		return nil
	}
	p := db.SlidingTimelinesParams{}
	byNID := make(map[int64]*roomPlan, len(plans))
	for _, pl := range plans {
		byNID[pl.lr.RoomNid] = pl
		p.RoomNids = append(p.RoomNids, pl.lr.RoomNid)
		p.Sinces = append(p.Sinces, int64(pl.since))
		p.Uptos = append(p.Uptos, int64(pl.upto))
		p.Lims = append(p.Lims, int32(pl.cfg.timelineLimit+1))
	}
	rows, err := s.q.SlidingTimelines(ctx, s.d.Pool, p)
	if err != nil {
		return fmt.Errorf("read timelines: %w", err)
	}
	for _, row := range rows {
		pl := byNID[row.RoomNid]
		pl.window = append(pl.window, events.FromRow(row, string(pl.lr.id), pl.lr.RoomVersion))
	}
	for _, pl := range plans {
		if len(pl.window) > pl.cfg.timelineLimit {
			pl.limited = true
			pl.window = pl.window[:pl.cfg.timelineLimit]
		}
		slices.Reverse(pl.window)
	}
	return nil
}

// visibleTimelines keeps the events of each window the user may see.
func (s *Service) visibleTimelines(ctx context.Context, r *Request, plans []*roomPlan) error {
	groups := map[event.Membership][]*events.Event{}
	for _, p := range plans {
		m := event.MembershipLeave
		if p.lr.membership == event.MembershipJoin {
			m = event.MembershipJoin
		}
		groups[m] = append(groups[m], p.window...)
	}
	seen := map[events.NID]bool{}
	for m, evs := range groups {
		vis, err := s.d.Timeline.Visible(ctx, r.User, m, evs)
		if err != nil {
			return err
		}
		for _, e := range vis {
			seen[e.NID] = true
		}
	}
	for _, p := range plans {
		for _, e := range p.window {
			if seen[e.NID] {
				p.kept = append(p.kept, e)
			}
		}
	}
	return nil
}

// fillState works out each room's required_state: the whole wanted state
// for rooms sent afresh, what changed since it was last sent otherwise,
// with lazily loaded members for the timeline's senders and targets.
func (s *Service) fillState(ctx context.Context, r *Request, plans []*roomPlan) error {
	for _, p := range plans {
		at, err := s.snapshotAt(ctx, p)
		if err != nil {
			return err
		}
		members := map[string]bool{}
		if p.cfg.lazy() {
			for _, e := range p.kept {
				members[string(e.Sender)] = true
				if e.Type == event.StateMember.Type && e.StateKey != nil {
					members[*e.StateKey] = true
				}
			}
		}
		keep := func(k state.Key) bool {
			if k.Type == event.StateMember.Type && members[k.StateKey] {
				return true
			}
			return p.cfg.wants(k)
		}
		if p.initial || p.expanded {
			if p.stateNIDs, err = s.d.Rooms.StateNIDs(ctx, at, keep); err != nil {
				return err
			}
			continue
		}
		from, err := s.d.Rooms.SnapshotAt(ctx, p.lr.RoomNid, p.since)
		if err != nil {
			return err
		}
		if from != at {
			p.stateChanged = true
			if p.stateNIDs, err = s.d.Rooms.StateDelta(ctx, from, at, keep); err != nil {
				return err
			}
		}
	}
	return nil
}

// snapshotAt is the room's state at the end of the plan's window: after
// the window's newest event, or the current state when nothing came after
// the window; else it is looked up.
func (s *Service) snapshotAt(ctx context.Context, p *roomPlan) (state.SnapshotNID, error) {
	if n := len(p.window); n > 0 && p.window[n-1].StateAfter != 0 {
		return state.SnapshotNID(p.window[n-1].StateAfter), nil
	}
	if stream.Pos(p.lr.LastPos) <= p.upto && p.lr.CurrentSnapshotNid != nil {
		return state.SnapshotNID(*p.lr.CurrentSnapshotNid), nil
	}
	return s.d.Rooms.SnapshotAt(ctx, p.lr.RoomNid, p.upto)
}

// renderRooms renders every room's timeline and state in one batch.
func (s *Service) renderRooms(ctx context.Context, r *Request, c *conn, plans []*roomPlan) error {
	var nids []events.NID
	for _, p := range plans {
		nids = append(nids, p.stateNIDs...)
	}
	stateEvents, err := events.ByNIDs(ctx, s.d.Pool, nids)
	if err != nil {
		return err
	}
	byNID := make(map[events.NID]*events.Event, len(stateEvents))
	for _, e := range stateEvents {
		byNID[e.NID] = e
	}
	var timelines, states []*events.Event
	stateCounts := make([]int, len(plans))
	for i, p := range plans {
		timelines = append(timelines, p.kept...)
		before := len(states)
		for _, nid := range p.stateNIDs {
			if e := byNID[nid]; e != nil {
				states = append(states, e)
			}
		}
		stateCounts[i] = len(states) - before
	}
	v := timeline.Viewer{User: r.User, Device: r.Device}
	renderedTimelines, err := s.d.Timeline.Render(ctx, timelines, v, timeline.RenderOptions{OmitRoomID: true})
	if err != nil {
		return err
	}
	renderedStates, err := s.d.Timeline.Render(ctx, states, v, timeline.RenderOptions{OmitRoomID: true, StateOnly: true})
	if err != nil {
		return err
	}
	for i, p := range plans {
		res, n := p.result, stateCounts[i]
		res.Timeline, renderedTimelines = renderedTimelines[:len(p.kept):len(p.kept)], renderedTimelines[len(p.kept):]
		res.RequiredState, renderedStates = renderedStates[:n:n], renderedStates[n:]
		res.Limited = p.limited
		if len(p.window) > 0 {
			res.PrevBatch = (p.window[0].Pos - 1).Token()
		} else {
			res.PrevBatch = p.upto.Token()
		}
		if c.since > 0 {
			for _, e := range p.kept {
				if e.Pos > c.since {
					res.NumLive++
				}
			}
		}
	}
	return nil
}
