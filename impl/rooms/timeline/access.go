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
// room get M_FORBIDDEN unless its history is world-readable (rooms.View).
func (r *Reader) access(ctx context.Context, room id.RoomID, user id.UserID) (*access, error) {
	view, err := r.rooms.View(ctx, room, user)
	if err != nil {
		return nil, err
	}
	a := &access{view: view, user: user, membership: event.MembershipLeave, until: noBound}
	m, err := r.q.TimelineMembershipOf(ctx, r.pool, db.TimelineMembershipOfParams{RoomNid: view.NID, UserID: user})
	switch {
	case pg.IsNoRows(err):
		// Never a member: a reader of world-readable history.
	case err != nil:
		return nil, fmt.Errorf("read membership of %s in %s: %w", user, room, err)
	default:
		a.membership = event.Membership(m.Membership)
		switch a.membership {
		case event.MembershipJoin:
			a.wasJoined = true
		case event.MembershipLeave, event.MembershipBan:
			a.until = stream.Pos(m.StreamPos)
			a.wasJoined = m.PrevMembership == string(event.MembershipJoin)
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
