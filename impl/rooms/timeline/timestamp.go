package timeline

import (
	"context"
	"fmt"
	"math"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/rooms/events"
)

// tsBatch is how many events EventAt reads at a time.
const tsBatch = 16

// EventAt finds the event of a room closest to a timestamp (milliseconds
// since the epoch) in one direction, as GET
// /rooms/{roomId}/timestamp_to_event does: the first the reader may see at
// or after ts forwards, at or before ts backwards. None is M_NOT_FOUND.
func (r *Reader) EventAt(ctx context.Context, room id.RoomID, user id.UserID, ts int64, forward bool) (*events.Event, error) {
	a, err := r.access(ctx, room, user)
	if err != nil {
		return nil, err
	}
	curTS, curPos := ts, int64(-1)
	if !forward {
		curPos = math.MaxInt64
	}
	for scanned := 0; scanned < maxScan; {
		var rows []db.Event
		if forward {
			rows, err = r.q.TimelineByTSForward(ctx, r.pool, db.TimelineByTSForwardParams{
				RoomNid: a.view.NID, Ts: curTS, Pos: curPos, Until: int64(a.until), Lim: tsBatch,
			})
		} else {
			rows, err = r.q.TimelineByTSBackward(ctx, r.pool, db.TimelineByTSBackwardParams{
				RoomNid: a.view.NID, Ts: curTS, Pos: curPos, Until: int64(a.until), Lim: tsBatch,
			})
		}
		if err != nil {
			return nil, fmt.Errorf("find the event of %s at %d: %w", room, ts, err)
		}
		evs := fromRows(rows, a.view)
		vis, err := r.visible(ctx, a, evs)
		if err != nil {
			return nil, err
		}
		if len(vis) > 0 {
			return vis[0], nil
		}
		if len(rows) < tsBatch {
			break
		}
		last := rows[len(rows)-1]
		curTS, curPos = last.OriginTs, *last.StreamPos
		scanned += len(rows)
	}
	dir := "backwards"
	if forward {
		dir = "forwards"
	}
	return nil, mxerr.New(mxerr.NotFound, "no event found from %d %s", ts, dir)
}
