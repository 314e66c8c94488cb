package timeline

import (
	"context"
	"encoding/json"
	"fmt"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/stream"
)

const (
	// defaultRelationsLimit is /relations' limit when the client gives
	// none.
	defaultRelationsLimit = 50
	// defaultThreadsLimit is /threads' limit when the client gives none.
	defaultThreadsLimit = 20
	// recurseDepth is how deep /relations follows relations of relations
	// when asked to recurse (MSC3981; the spec asks for at least 3).
	recurseDepth = 3
)

// RelationsQuery asks for a page of the events relating to an event.
type RelationsQuery struct {
	// RelType and EventType, when set, keep only relations of that type
	// and events of that type.
	RelType, EventType string
	// From and To are pagination tokens (empty: from the newest, or the
	// oldest forwards; to the end).
	From, To string
	Forward  bool
	Limit    *int
	// Recurse, when set, says whether to include relations of relations;
	// the answer then says to what depth it went.
	Recurse *bool
}

// Relations is a page of related events in client form.
type Relations struct {
	Chunk []json.RawMessage
	// NextBatch continues the pagination, empty at its end; PrevBatch is
	// the token the page started from, if any.
	NextBatch, PrevBatch string
	// RecursionDepth answers a request that said whether to recurse.
	RecursionDepth *int
}

// Relations reads the events relating to parent as GET
// /rooms/{roomId}/relations/{eventId} does: newest first (or oldest first
// forwards), never redacted relations, only events the reader may see. A
// parent the reader may not see is not found.
func (r *Reader) Relations(ctx context.Context, room id.RoomID, parent id.EventID, v Viewer, q RelationsQuery) (*Relations, error) {
	from, hasFrom, err := parseToken(q.From)
	if err != nil {
		return nil, err
	}
	to, hasTo, err := parseToken(q.To)
	if err != nil {
		return nil, err
	}
	limit, err := pageLimit(q.Limit, defaultRelationsLimit)
	if err != nil {
		return nil, err
	}
	a, err := r.access(ctx, room, v.User)
	if err != nil {
		return nil, err
	}
	p, err := events.ByID(ctx, r.pool, parent)
	if err != nil || p.RoomID != room {
		return nil, errEventNotFound
	}
	if vis, err := r.visible(ctx, a, []*events.Event{p}); err != nil {
		return nil, err
	} else if len(vis) == 0 {
		return nil, errEventNotFound
	}
	depth := 1
	if q.Recurse != nil && *q.Recurse {
		depth = recurseDepth
	}
	cursor, bound := bounds(q.Forward, from, to, hasFrom, hasTo, a.until)
	fetch := func(ctx context.Context, cursor stream.Pos, n int) ([]row, error) {
		lo, hi := bound, cursor
		if q.Forward {
			lo, hi = cursor, bound
		}
		rows, err := r.q.TimelineRelations(ctx, r.pool, db.TimelineRelationsParams{
			ParentID: string(parent), RoomNid: a.view.NID, MaxDepth: int32(depth),
			RelType: q.RelType, EventType: q.EventType, Lo: int64(lo), Hi: int64(hi), Forward: q.Forward, Lim: int32(n),
		})
		if err != nil {
			return nil, fmt.Errorf("read relations of %s: %w", parent, err)
		}
		return eventRows(fromRows(rows, a.view)), nil
	}
	pg, err := r.scan(ctx, a, q.Forward, cursor, limit, fetch, nil)
	if err != nil {
		return nil, err
	}
	out := &Relations{}
	if out.Chunk, err = r.Render(ctx, pg.evs, v, RenderOptions{Until: a.until}); err != nil {
		return nil, err
	}
	if !pg.exhausted {
		out.NextBatch = pg.next.Token()
	}
	if hasFrom {
		out.PrevBatch = from.Token()
	}
	if q.Recurse != nil {
		out.RecursionDepth = &depth
	}
	return out, nil
}

// ThreadsQuery asks for a page of a room's threads.
type ThreadsQuery struct {
	// Participated keeps only the threads the reader started or sent an
	// event in.
	Participated bool
	// From is a token from a previous page's NextBatch.
	From  string
	Limit *int
}

// Threads is a page of thread roots in client form, each with its thread
// summary bundled.
type Threads struct {
	Chunk     []json.RawMessage
	NextBatch string
}

// Threads lists a room's thread roots as GET /rooms/{roomId}/threads
// does: by their latest activity, newest first, only roots the reader may
// see and activity up to their leave.
func (r *Reader) Threads(ctx context.Context, room id.RoomID, v Viewer, q ThreadsQuery) (*Threads, error) {
	from, hasFrom, err := parseToken(q.From)
	if err != nil {
		return nil, err
	}
	limit, err := pageLimit(q.Limit, defaultThreadsLimit)
	if err != nil {
		return nil, err
	}
	a, err := r.access(ctx, room, v.User)
	if err != nil {
		return nil, err
	}
	cursor, _ := bounds(false, from, 0, hasFrom, false, a.until)
	fetch := func(ctx context.Context, cursor stream.Pos, n int) ([]row, error) {
		roots, err := r.q.TimelineThreadRoots(ctx, r.pool, db.TimelineThreadRootsParams{
			RoomNid: a.view.NID, Until: int64(a.until), FromPos: int64(cursor),
			Participated: q.Participated, UserID: string(v.User), Lim: int32(n),
		})
		if err != nil {
			return nil, fmt.Errorf("list threads of %s: %w", room, err)
		}
		ids := make([]string, len(roots))
		for i, root := range roots {
			ids[i] = root.RootID
		}
		evs, err := r.byIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		rows := make([]row, len(roots))
		for i, root := range roots {
			rows[i] = row{at: stream.Pos(root.LatestPos)}
			if e := evs[id.EventID(root.RootID)]; e != nil && e.RoomID == room && e.Pos != 0 {
				rows[i].ev = e
			}
		}
		return rows, nil
	}
	pg, err := r.scan(ctx, a, false, cursor, limit, fetch, nil)
	if err != nil {
		return nil, err
	}
	out := &Threads{}
	if out.Chunk, err = r.Render(ctx, pg.evs, v, RenderOptions{Until: a.until}); err != nil {
		return nil, err
	}
	if !pg.exhausted {
		out.NextBatch = pg.next.Token()
	}
	return out, nil
}
