package timeline

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/state"
	"github.com/hearth-hs/hearth/impl/stream"
)

// defaultMessagesLimit is /messages' limit when the client gives none.
const defaultMessagesLimit = 10

// MessagesQuery asks for one page of a room's history.
type MessagesQuery struct {
	// From and To are pagination tokens; empty From starts at the end of
	// the history the reader may see (backwards) or at its start
	// (forwards), empty To goes as far as there are events.
	From, To string
	// Forward pages in chronological order; otherwise backwards.
	Forward bool
	// Limit is the most events in the page; nil takes the filter's, or 10.
	Limit *int
	// Filter chooses the events; nil keeps all.
	Filter *filter.RoomEventFilter
}

// Messages is a page of history in client form.
type Messages struct {
	// Start is where the page starts; End where the next page would
	// start, empty when the reader has no further events to read.
	Start, End string
	Chunk      []json.RawMessage
	// State has, with lazy-loaded members, the member events of the
	// chunk's senders.
	State []json.RawMessage
}

// Messages reads a page of room history as GET /rooms/{roomId}/messages
// does: only events the reader may see, never past their leave.
func (r *Reader) Messages(ctx context.Context, room id.RoomID, v Viewer, q MessagesQuery) (*Messages, error) {
	from, hasFrom, err := parseToken(q.From)
	if err != nil {
		return nil, err
	}
	to, hasTo, err := parseToken(q.To)
	if err != nil {
		return nil, err
	}
	limit, err := pageLimit(q.Limit, defaultMessagesLimit)
	if err != nil {
		return nil, err
	}
	if q.Filter != nil && q.Filter.Limit != nil {
		// The filter's limit bounds the page too.
		limit = min(limit, *q.Filter.Limit)
	}
	a, err := r.access(ctx, room, v.User)
	if err != nil {
		return nil, err
	}
	cursor, bound := bounds(q.Forward, from, to, hasFrom, hasTo, a.until)
	out := &Messages{Chunk: []json.RawMessage{}}
	var p page
	if q.Filter.MatchRoom(room) {
		p, err = r.scan(ctx, a, q.Forward, cursor, limit, r.roomFetch(a.view, q.Forward, bound, q.Filter), keepFunc(room, q.Filter))
		if err != nil {
			return nil, err
		}
	} else {
		p = page{next: cursor, exhausted: true}
	}
	switch {
	case hasFrom:
		out.Start = from.Token()
	case q.Forward:
		out.Start = stream.Pos(0).Token()
	case a.until != noBound:
		out.Start = a.until.Token()
	default:
		out.Start = p.first.Token()
	}
	if !p.exhausted {
		out.End = p.next.Token()
	}
	var members []*events.Event
	lazy := q.Filter != nil && q.Filter.LazyLoadMembers
	if lazy {
		if members, err = r.memberEvents(ctx, p.evs); err != nil {
			return nil, err
		}
	}
	// One batch, so that its reads are made once for chunk and state.
	rendered, err := r.Render(ctx, append(p.evs[:len(p.evs):len(p.evs)], members...), v, RenderOptions{Until: a.until})
	if err != nil {
		return nil, err
	}
	out.Chunk = rendered[:len(p.evs)]
	if lazy {
		out.State = rendered[len(p.evs):]
	}
	return out, nil
}

// roomFetch reads a room's events along the events_room_stream index, up
// to (forwards) or down to (backwards) bound, with the type and sender
// parts of f done by the database.
func (r *Reader) roomFetch(view *rooms.RoomView, forward bool, bound stream.Pos, f *filter.RoomEventFilter) fetchFunc {
	sf := sqlFilterOf(f)
	return func(ctx context.Context, cursor stream.Pos, n int) ([]row, error) {
		var rows []db.Event
		var err error
		if forward {
			rows, err = r.q.TimelineForward(ctx, r.pool, db.TimelineForwardParams{
				RoomNid: view.NID, FromPos: int64(cursor), ToPos: int64(bound), Lim: int32(n),
				FilterTypes: sf.filterTypes, Types: sf.types, NotTypes: sf.notTypes,
				FilterSenders: sf.filterSenders, Senders: sf.senders, NotSenders: sf.notSenders,
			})
		} else {
			rows, err = r.q.TimelineBackward(ctx, r.pool, db.TimelineBackwardParams{
				RoomNid: view.NID, FromPos: int64(cursor), ToPos: int64(bound), Lim: int32(n),
				FilterTypes: sf.filterTypes, Types: sf.types, NotTypes: sf.notTypes,
				FilterSenders: sf.filterSenders, Senders: sf.senders, NotSenders: sf.notSenders,
			})
		}
		if err != nil {
			return nil, fmt.Errorf("read history of %s from %d: %w", view.ID, cursor, err)
		}
		return eventRows(fromRows(rows, view)), nil
	}
}

// fromRows converts stored rows of one room.
func fromRows(rows []db.Event, view *rooms.RoomView) []*events.Event {
	out := make([]*events.Event, len(rows))
	for i, row := range rows {
		out[i] = events.FromRow(row, string(view.ID), string(view.Version))
	}
	return out
}

// sqlFilter is the part of a filter the history queries apply. Lists are
// never nil: the database reads a nil array as NULL.
type sqlFilter struct {
	filterTypes, filterSenders bool
	types, notTypes            []string
	senders, notSenders        []string
}

func sqlFilterOf(f *filter.RoomEventFilter) sqlFilter {
	sf := sqlFilter{types: []string{}, notTypes: []string{}, senders: []string{}, notSenders: []string{}}
	if f == nil {
		return sf
	}
	sf.filterTypes, sf.filterSenders = f.Types != nil, f.Senders != nil
	for _, t := range f.Types {
		sf.types = append(sf.types, likePattern(t))
	}
	for _, t := range f.NotTypes {
		sf.notTypes = append(sf.notTypes, likePattern(t))
	}
	for _, s := range f.Senders {
		sf.senders = append(sf.senders, string(s))
	}
	for _, s := range f.NotSenders {
		sf.notSenders = append(sf.notSenders, string(s))
	}
	return sf
}

// likeEscaper escapes LIKE's own wildcards and its escape character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`, `*`, `%`)

// likePattern turns a filter's type pattern ("*" for any run) into a LIKE
// pattern matching the same types.
func likePattern(glob string) string { return likeEscaper.Replace(glob) }

// keepFunc applies the whole filter to an event (the database did its type
// and sender parts already; contains_url is read here).
func keepFunc(room id.RoomID, f *filter.RoomEventFilter) func(*events.Event) bool {
	if f == nil {
		return nil
	}
	return func(e *events.Event) bool {
		fields := filter.Fields{Room: room, Sender: e.Sender, Type: e.Type}
		if f.ContainsURL != nil {
			fields.HasURL = filter.HasURL(e.Content())
		}
		return f.Match(fields)
	}
}

// memberEvents returns the member events of the senders of evs, lazy
// loading's state: each sender's membership as of their latest event among
// evs, in NID order.
func (r *Reader) memberEvents(ctx context.Context, evs []*events.Event) ([]*events.Event, error) {
	latest := map[id.UserID]*events.Event{}
	for _, e := range evs {
		if cur := latest[e.Sender]; cur == nil || e.Pos > cur.Pos {
			latest[e.Sender] = e
		}
	}
	st := r.rooms.State()
	nids := make([]events.NID, 0, len(latest))
	for sender, e := range latest {
		key, ok, err := st.LookupKeyNID(ctx, r.pool, state.Key{Type: event.StateMember.Type, StateKey: string(sender)})
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		entries, err := st.Snapshot(ctx, r.pool, state.SnapshotNID(e.StateAfter))
		if err != nil {
			return nil, err
		}
		if n := entries[key]; n != 0 && !slices.Contains(nids, n) {
			nids = append(nids, n)
		}
	}
	slices.Sort(nids)
	return events.ByNIDs(ctx, r.pool, nids)
}
