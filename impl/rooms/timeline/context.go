package timeline

import (
	"context"
	"encoding/json"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/state"
)

// defaultContextLimit is /context's limit when the client gives none.
const defaultContextLimit = 10

// ContextQuery asks for the events around one event.
type ContextQuery struct {
	// Limit is the most events before and after the event together; nil
	// means 10.
	Limit *int
	// Filter chooses the events around the event and the state, never the
	// event itself.
	Filter *filter.RoomEventFilter
}

// Context is an event with the events around it, in client form.
type Context struct {
	// Start and End are tokens to paginate backwards from the first event
	// before, and forwards from the last event after.
	Start, End string
	Event      json.RawMessage
	// Before is in reverse chronological order, After in chronological.
	Before, After []json.RawMessage
	// State is the room's state at the last event returned, or with
	// lazy-loaded members the member events of the events' senders.
	State []json.RawMessage
}

// Context reads an event and the events around it as GET
// /rooms/{roomId}/context/{eventId} does: half of the limit before it, the
// rest after it, only events the reader may see. An event the reader may
// not see is not found.
func (r *Reader) Context(ctx context.Context, room id.RoomID, evID id.EventID, v Viewer, q ContextQuery) (*Context, error) {
	limit, err := pageLimit(q.Limit, defaultContextLimit)
	if err != nil {
		return nil, err
	}
	a, err := r.access(ctx, room, v.User)
	if err != nil {
		return nil, err
	}
	ev, err := events.ByID(ctx, r.pool, evID)
	if err != nil || ev.RoomID != room || ev.Pos == 0 {
		return nil, errEventNotFound
	}
	if vis, err := r.visible(ctx, a, []*events.Event{ev}); err != nil {
		return nil, err
	} else if len(vis) == 0 {
		return nil, errEventNotFound
	}

	nBefore := limit / 2
	before := page{next: ev.Pos - 1}
	after := page{next: ev.Pos}
	if q.Filter.MatchRoom(room) {
		keep := keepFunc(room, q.Filter)
		err := parallel(
			func() (err error) {
				before, err = r.scan(ctx, a, false, ev.Pos-1, nBefore, r.roomFetch(a.view, false, 0, q.Filter), keep)
				return err
			},
			func() (err error) {
				after, err = r.scan(ctx, a, true, ev.Pos, limit-nBefore, r.roomFetch(a.view, true, a.until, q.Filter), keep)
				return err
			},
		)
		if err != nil {
			return nil, err
		}
	}

	last := ev
	if len(after.evs) > 0 {
		last = after.evs[len(after.evs)-1]
	}
	var st []*events.Event
	if q.Filter != nil && q.Filter.LazyLoadMembers {
		all := append(append([]*events.Event{ev}, before.evs...), after.evs...)
		st, err = r.memberEvents(ctx, all)
	} else {
		st, err = r.rooms.StateEvents(ctx, state.SnapshotNID(last.StateAfter), nil)
		if keep := keepFunc(room, q.Filter); keep != nil && err == nil {
			kept := st[:0]
			for _, e := range st {
				if keep(e) {
					kept = append(kept, e)
				}
			}
			st = kept
		}
	}
	if err != nil {
		return nil, err
	}

	// One batch, so that relations are looked up once for all of it.
	all := make([]*events.Event, 0, 1+len(before.evs)+len(after.evs)+len(st))
	all = append(append(append(append(all, ev), before.evs...), after.evs...), st...)
	rendered, err := r.Render(ctx, all, v, RenderOptions{Until: a.until})
	if err != nil {
		return nil, err
	}
	nb, na := len(before.evs), len(after.evs)
	return &Context{
		Start:  before.next.Token(),
		End:    after.next.Token(),
		Event:  rendered[0],
		Before: rendered[1 : 1+nb],
		After:  rendered[1+nb : 1+nb+na],
		State:  rendered[1+nb+na:],
	}, nil
}
