package timeline

import (
	"context"

	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/stream"
)

// Pagination tokens are stream position tokens (stream.Pos.Token, "s<pos>"),
// the same as /sync's. A token names the point just after the event at its
// position: paginating backwards from it starts with that event, forwards
// with the one after it. The cursor of a scan is such a point.

// maxScan bounds the candidate events one request reads. Events the reader
// may not see or the filter drops count too, so that a request costs what
// its scan costs even in a history the reader cannot see; the client gets
// a token to read on from.
const maxScan = 2000

// maxLimit bounds the limit of every page.
const maxLimit = 1000

// row is one candidate of a scan: an event, nil when it is not known here
// (a thread root this server lacks), and the position the scan orders it
// by (its own, or its thread's latest).
type row struct {
	ev *events.Event
	at stream.Pos
}

// fetchFunc reads up to n rows after the cursor, in the scan's direction.
type fetchFunc func(ctx context.Context, cursor stream.Pos, n int) ([]row, error)

// page is what a scan found.
type page struct {
	evs []*events.Event
	// first is the position of the first row read, zero when none was.
	first stream.Pos
	// next is the cursor after the last row consumed.
	next stream.Pos
	// exhausted tells that no row is left in the scanned range.
	exhausted bool
}

// scan reads rows from the cursor from in one direction until it has limit
// events the reader may see and keep accepts (nil: all), the range ends,
// or maxScan rows were read.
func (r *Reader) scan(ctx context.Context, a *access, forward bool, from stream.Pos, limit int, fetch fetchFunc, keep func(*events.Event) bool) (page, error) {
	p := page{next: from}
	scanned := 0
	for len(p.evs) < limit {
		n := limit - len(p.evs) + 1
		if scanned > 0 {
			// Some rows were not for the reader: read further ahead.
			n = max(n, 64)
		}
		rows, err := fetch(ctx, p.next, n)
		if err != nil {
			return page{}, err
		}
		if scanned == 0 && len(rows) > 0 {
			p.first = rows[0].at
		}
		candidates := make([]*events.Event, 0, len(rows))
		for _, rw := range rows {
			if rw.ev != nil {
				candidates = append(candidates, rw.ev)
			}
		}
		vis, err := r.visible(ctx, a, candidates)
		if err != nil {
			return page{}, err
		}
		seen := make(map[*events.Event]bool, len(vis))
		for _, e := range vis {
			seen[e] = true
		}
		consumedAll := true
		for _, rw := range rows {
			if len(p.evs) == limit {
				consumedAll = false
				break
			}
			if forward {
				p.next = rw.at
			} else {
				p.next = rw.at - 1
			}
			if rw.ev != nil && seen[rw.ev] && (keep == nil || keep(rw.ev)) {
				p.evs = append(p.evs, rw.ev)
			}
		}
		scanned += len(rows)
		if consumedAll && len(rows) < n {
			p.exhausted = true
			break
		}
		if scanned >= maxScan {
			break
		}
	}
	return p, nil
}

// eventRows makes rows ordered by the events' own positions.
func eventRows(evs []*events.Event) []row {
	out := make([]row, len(evs))
	for i, e := range evs {
		out[i] = row{ev: e, at: e.Pos}
	}
	return out
}

// parseToken reads an optional pagination token.
func parseToken(s string) (stream.Pos, bool, error) {
	if s == "" {
		return 0, false, nil
	}
	p, err := stream.ParseToken(s)
	return p, err == nil, err
}

// pageLimit is the limit of a page: the request's, or def; in [0, maxLimit].
func pageLimit(limit *int, def int) (int, error) {
	if limit == nil {
		return def, nil
	}
	if *limit < 0 {
		return 0, mxerr.New(mxerr.InvalidParam, "limit must not be negative")
	}
	return min(*limit, maxLimit), nil
}

// bounds turns optional from and to tokens into a scan's cursor and the
// far end of its range, within what the reader may see (up to until).
// Backwards, the range is (to, from]; forwards, (from, to].
func bounds(forward bool, from, to stream.Pos, hasFrom, hasTo bool, until stream.Pos) (cursor, bound stream.Pos) {
	if forward {
		cursor, bound = 0, until
		if hasFrom {
			cursor = from
		}
		if hasTo && to < bound {
			bound = to
		}
		return cursor, bound
	}
	cursor, bound = until, 0
	if hasFrom && from < cursor {
		cursor = from
	}
	if hasTo {
		bound = to
	}
	return cursor, bound
}
