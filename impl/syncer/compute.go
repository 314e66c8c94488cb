package syncer

import (
	"context"
	"fmt"
	"slices"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/state"
	"github.com/hearth-hs/hearth/impl/rooms/timeline"
	"github.com/hearth-hs/hearth/impl/stream"
)

// membership is one room of the user's, as /sync sees it.
type membership struct {
	db.SyncMembershipsRow
	id id.RoomID
	// changed tells that the membership changed in (since, upto].
	changed bool
	// fresh rooms are sent whole: initial and full-state syncs, and rooms
	// the user joined in this window.
	fresh bool
}

// compute builds the response for (since, upto] and says what a waiting
// sync should watch.
func (s *Service) compute(ctx context.Context, r Request, f *filter.Filter, since, upto stream.Pos) (*response, *stream.Interest, error) {
	rows, err := s.q.SyncMemberships(ctx, s.d.Pool, r.User)
	if err != nil {
		return nil, nil, fmt.Errorf("read memberships of %s: %w", r.User, err)
	}
	resp := newResponse()
	w := &stream.Interest{User: r.User, Rooms: map[id.RoomID]bool{}}
	var joined, left []*membership
	for _, row := range rows {
		if stream.Pos(row.StreamPos) > upto {
			// Changed after upto: as of upto we cannot tell the old
			// membership cheaply, and the next sync will bring it.
			continue
		}
		m := &membership{SyncMembershipsRow: row, id: id.RoomID(row.RoomID)}
		m.changed = since != 0 && stream.Pos(row.StreamPos) > since
		roomFilter := f.Room
		if roomFilter != nil && !roomFilter.MatchRoom(m.id) {
			continue
		}
		switch event.Membership(row.Membership) {
		case event.MembershipJoin:
			w.Rooms[m.id] = true
			m.fresh = since == 0 || r.FullState || m.changed
			joined = append(joined, m)
		case event.MembershipInvite, event.MembershipKnock:
			w.Rooms[m.id] = true
			if since == 0 || m.changed {
				if err := s.stripped(ctx, r, m, resp); err != nil {
					return nil, nil, err
				}
			}
		case event.MembershipLeave, event.MembershipBan:
			includeLeave := roomFilter != nil && roomFilter.IncludeLeave
			if !row.Forgotten && (m.changed || (since == 0 && includeLeave) || (r.FullState && includeLeave)) {
				m.fresh = since == 0 || r.FullState
				left = append(left, m)
			}
		}
	}
	if err := s.joinedRooms(ctx, r, f, since, upto, joined, resp); err != nil {
		return nil, nil, err
	}
	if err := s.leftRooms(ctx, r, f, since, left, resp); err != nil {
		return nil, nil, err
	}
	if err := s.userSections(ctx, r, f, since, upto, resp); err != nil {
		return nil, nil, err
	}
	return resp, w, nil
}

// roomWindow is one room's timeline read: the events (oldest first) and
// whether older ones were left out.
type roomWindow struct {
	m       *membership
	events  []*events.Event
	limited bool
}

// timelines reads the newest events of rooms in (since, upto[room]], up to
// limit each, oldest first.
func (s *Service) timelines(ctx context.Context, ms []*membership, since stream.Pos, uptos []stream.Pos, limit int) (map[int64]*roomWindow, error) {
	out := make(map[int64]*roomWindow, len(ms))
	if len(ms) == 0 {
		return out, nil
	}
	nids := make([]int64, len(ms))
	ups := make([]int64, len(ms))
	for i, m := range ms {
		nids[i], ups[i] = m.RoomNid, int64(uptos[i])
		out[m.RoomNid] = &roomWindow{m: m}
	}
	rows, err := s.q.SyncTimelines(ctx, s.d.Pool, db.SyncTimelinesParams{RoomNids: nids, Since: int64(since), Uptos: ups, Lim: int32(limit + 1)})
	if err != nil {
		return nil, fmt.Errorf("read timelines: %w", err)
	}
	for _, row := range rows {
		w := out[row.RoomNid]
		w.events = append(w.events, events.FromRow(row, w.m.RoomID, w.m.RoomVersion))
	}
	for _, w := range out {
		if len(w.events) > limit {
			w.limited = true
			w.events = w.events[:limit]
		}
		slices.Reverse(w.events)
	}
	return out, nil
}

// keepState filters state events by the state filter, and with lazy
// loading keeps only the member events of the given users.
func keepState(sf *filter.RoomEventFilter, members map[string]bool) func(state.Key) bool {
	return func(k state.Key) bool {
		if sf != nil && !sf.EventFilter.MatchType(k.Type) {
			return false
		}
		if members != nil && k.Type == event.StateMember.Type {
			return members[k.StateKey]
		}
		return true
	}
}

// lazyMembers are the users whose member events a lazy-loading client
// needs with a timeline: its senders, and the user.
func lazyMembers(user id.UserID, evs []*events.Event) map[string]bool {
	m := map[string]bool{string(user): true}
	for _, e := range evs {
		m[string(e.Sender)] = true
	}
	return m
}

// render gives events their form for a room section of /sync: the client
// form, or with event_format federation the PDU as stored; cut down to the
// filter's event_fields when it lists any.
func (s *Service) render(ctx context.Context, r Request, f *filter.Filter, evs []*events.Event) ([]rawEvent, error) {
	raw := make([]rawEvent, len(evs))
	if f.Format() == filter.FormatFederation {
		for i, e := range evs {
			raw[i] = rawEvent(e.PDU)
		}
	} else {
		out, err := s.d.Timeline.Render(ctx, evs, timeline.Viewer{User: r.User, Device: r.Device}, timeline.RenderOptions{OmitRoomID: true})
		if err != nil {
			return nil, err
		}
		for i, e := range out {
			raw[i] = rawEvent(e)
		}
	}
	if f.EventFields != nil {
		for i, e := range raw {
			raw[i] = pickFields(e, f.EventFields)
		}
	}
	return raw, nil
}

// timelineLimit is the most events a room's timeline holds under f.
func (s *Service) timelineLimit(f *filter.Filter) int {
	if f.Room != nil && f.Room.Timeline != nil {
		return f.Room.Timeline.LimitOr(s.cfg.TimelineLimit, 1000)
	}
	return s.cfg.TimelineLimit
}
