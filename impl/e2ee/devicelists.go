package e2ee

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/stream"
)

// listChange is a change of user's device list (devices, their keys, cross-
// signing keys). A change with onlyFor set is told to that user alone: a
// user-signing key, or a signature by one, concerns its owner only.
type listChange struct {
	user, onlyFor id.UserID
}

// notifyRoomsChunk keeps a notification of a user's rooms under
// PostgreSQL's 8000-byte payload cap.
const notifyRoomsChunk = 100

// markChangedTx records device list changes at a new stream position and
// announces them to every user sharing a room with their users (and to the
// users themselves). It takes the position: call it last in the
// transaction, after any lock waits.
func markChangedTx(ctx context.Context, q db.DBTX, changes ...listChange) error {
	if len(changes) == 0 {
		return nil
	}
	if err := stream.AdvanceTx(ctx, q); err != nil {
		return err
	}
	slices.SortFunc(changes, func(a, b listChange) int {
		return cmp.Or(cmp.Compare(a.user, b.user), cmp.Compare(a.onlyFor, b.onlyFor))
	})
	for _, c := range slices.Compact(changes) {
		err := queries.DeviceListChangeInsert(ctx, q, db.DeviceListChangeInsertParams{UserID: c.user, OnlyFor: string(c.onlyFor)})
		if err != nil {
			return fmt.Errorf("record device list change of %s: %w", c.user, err)
		}
		if c.onlyFor != "" {
			if err := stream.NotifyCurrentTx(ctx, q, "", []id.UserID{c.onlyFor}); err != nil {
				return err
			}
			continue
		}
		rooms, err := queries.JoinedRoomIDsOfUser(ctx, q, c.user)
		if err != nil {
			return fmt.Errorf("read rooms of %s: %w", c.user, err)
		}
		roomIDs := make([]id.RoomID, len(rooms))
		for i, r := range rooms {
			roomIDs[i] = id.RoomID(r)
		}
		users := []id.UserID{c.user}
		for len(roomIDs) > notifyRoomsChunk {
			if err := stream.NotifyCurrentRoomsTx(ctx, q, roomIDs[:notifyRoomsChunk], users); err != nil {
				return err
			}
			roomIDs = roomIDs[notifyRoomsChunk:]
		}
		if err := stream.NotifyCurrentRoomsTx(ctx, q, roomIDs, users); err != nil {
			return err
		}
	}
	return nil
}

// queries are the generated queries; they hold no state.
var queries = db.New()

// deviceListChanges returns, for viewer, the users whose device lists
// changed in (since, upto] (including users who came to share a room with
// viewer) and the users viewer no longer shares any room with.
func (s *Service) deviceListChanges(ctx context.Context, q db.DBTX, viewer id.UserID, since, upto stream.Pos) (changed, left []id.UserID, err error) {
	if upto <= since {
		return nil, nil, nil
	}
	rows, err := s.q.DeviceListWindow(ctx, q, db.DeviceListWindowParams{Viewer: string(viewer), Since: int64(since), Upto: int64(upto)})
	if err != nil {
		return nil, nil, fmt.Errorf("read device list changes for %s: %w", viewer, err)
	}
	gone := map[id.UserID]bool{}
	for _, r := range rows {
		if r.Gone {
			gone[id.UserID(r.UserID)] = true
			left = append(left, id.UserID(r.UserID))
		}
	}
	for _, r := range rows {
		if u := id.UserID(r.UserID); !r.Gone && !gone[u] {
			changed = append(changed, u)
		}
	}
	slices.Sort(changed)
	slices.Sort(left)
	return slices.Compact(changed), slices.Compact(left), nil
}

// KeyChanges answers GET /keys/changes: the users whose device lists
// changed, or who stopped sharing rooms with user, between two sync
// tokens (from excluded, to included).
func (s *Service) KeyChanges(ctx context.Context, user id.UserID, from, to string) (changed, left []id.UserID, err error) {
	since, err := stream.ParseToken(from)
	if err != nil {
		return nil, nil, err
	}
	upto, err := stream.ParseToken(to)
	if err != nil {
		return nil, nil, err
	}
	return s.deviceListChanges(ctx, s.pool, user, since, upto)
}
