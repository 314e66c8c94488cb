package timeline

import (
	"context"
	"errors"
	"fmt"
	"math"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/rooms/state"
	"github.com/hearth-hs/hearth/impl/stream"
)

// noBound is the position past every event.
const noBound = stream.Pos(math.MaxInt64)

// access is what one reader may see of one room, decided once per request.
type access struct {
	view *rooms.RoomView
	user id.UserID
	// membership is the reader's membership now.
	membership event.Membership
	// until is the last position the reader may see: their leave (or ban)
	// once they are out of the room, noBound while they are in it.
	until stream.Pos
	// wasJoined tells that the reader is joined, or was until they left:
	// history shared with members is theirs up to their leave.
	wasJoined bool
}

// access decides what user may read of room. Users who were never in the
// room get M_FORBIDDEN unless its history is world-readable: that policy
// is rooms.View's, asked here only for readers who are not members, as
// the room and a member's membership come in one read.
func (r *Reader) access(ctx context.Context, room id.RoomID, user id.UserID) (*access, error) {
	row, err := r.q.TimelineAccess(ctx, r.pool, db.TimelineAccessParams{RoomID: string(room), UserID: user})
	if err != nil && !pg.IsNoRows(err) {
		return nil, fmt.Errorf("read access of %s to %s: %w", user, room, err)
	}
	m := event.Membership(row.Membership)
	a := &access{user: user, membership: m, until: noBound}
	switch {
	case err == nil && m == event.MembershipJoin:
		a.wasJoined = true
		a.view = &rooms.RoomView{NID: row.RoomNid, ID: room, Version: id.RoomVersion(row.RoomVersion), Membership: m}
		if row.CurrentSnapshotNid != nil {
			a.view.Snapshot = state.SnapshotNID(*row.CurrentSnapshotNid)
		}
	case err == nil && (m == event.MembershipLeave || m == event.MembershipBan) && row.MembershipStateAfter != nil:
		// They were in the room: they read it up to when they left.
		a.until = stream.Pos(row.MembershipPos)
		a.wasJoined = row.PrevMembership == string(event.MembershipJoin)
		a.view = &rooms.RoomView{NID: row.RoomNid, ID: room, Version: id.RoomVersion(row.RoomVersion), Membership: m,
			Snapshot: state.SnapshotNID(*row.MembershipStateAfter)}
	default:
		// Not a member: world-readable history only, if any.
		if a.view, err = r.rooms.View(ctx, room, user); err != nil {
			return nil, err
		}
		if m == "" {
			a.membership = event.MembershipLeave
		}
	}
	return a, nil
}

// accessToEvent is access for reads of one event, where a room the user
// may not read answers as an unknown event does.
func (r *Reader) accessToEvent(ctx context.Context, room id.RoomID, user id.UserID) (*access, error) {
	a, err := r.access(ctx, room, user)
	var mx *mxerr.Error
	if errors.As(err, &mx) && mx.Code == mxerr.Forbidden {
		return nil, errEventNotFound
	}
	return a, err
}
