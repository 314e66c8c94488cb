package rooms

import (
	"context"
	"fmt"
	"slices"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/state"
	"github.com/hearth-hs/hearth/impl/stream"
)

// RoomView is a room as one user may read it: the state they see (the
// current state while they are in the room, the state when they left
// otherwise).
type RoomView struct {
	NID      int64
	ID       id.RoomID
	Version  id.RoomVersion
	Snapshot state.SnapshotNID
	// Membership is the reader's current membership.
	Membership event.Membership
}

var errNotInRoom = mxerr.New(mxerr.Forbidden, "you are not in this room and were never in it")

// View returns the room as user may read its state: current while joined,
// as it was when they left otherwise. Users who were never in the room get
// M_FORBIDDEN, unless its history is world-readable.
func (s *Service) View(ctx context.Context, roomID id.RoomID, user id.UserID) (*RoomView, error) {
	r, err := s.roomNID(ctx, s.pool, roomID, errNotInRoom)
	if err != nil {
		return nil, err
	}
	v := &RoomView{NID: r.RoomNid, ID: roomID, Version: id.RoomVersion(r.RoomVersion), Membership: event.MembershipLeave}
	if r.CurrentSnapshotNid != nil {
		v.Snapshot = state.SnapshotNID(*r.CurrentSnapshotNid)
	}
	m, err := s.q.MembershipEventOf(ctx, s.pool, db.MembershipEventOfParams{RoomNid: r.RoomNid, UserID: user})
	switch {
	case pg.IsNoRows(err):
	case err != nil:
		return nil, fmt.Errorf("read membership of %s: %w", user, err)
	default:
		v.Membership = event.Membership(m.Membership)
	}
	switch v.Membership {
	case event.MembershipJoin:
		return v, nil
	case event.MembershipLeave, event.MembershipBan:
		if err == nil && m.StateAfter != nil {
			// They were in the room: they see it as it was when they left.
			v.Snapshot = state.SnapshotNID(*m.StateAfter)
			return v, nil
		}
	}
	readable, rerr := s.worldReadable(ctx, v)
	if rerr != nil {
		return nil, rerr
	}
	if !readable {
		return nil, errNotInRoom
	}
	return v, nil
}

func (s *Service) worldReadable(ctx context.Context, v *RoomView) (bool, error) {
	ev, err := s.currentEvent(ctx, s.pool, v.NID, v.ID, v.Version, event.StateHistoryVisibility.Type, "")
	if err != nil || ev == nil {
		return false, err
	}
	return gjsonString(ev.Content(), "history_visibility") == "world_readable", nil
}

// StateEvents returns the events of a snapshot, filtered by keep when it is
// not nil.
func (s *Service) StateEvents(ctx context.Context, snap state.SnapshotNID, keep func(state.Key) bool) ([]*events.Event, error) {
	nids, err := s.StateNIDs(ctx, snap, keep)
	if err != nil {
		return nil, err
	}
	return events.ByNIDs(ctx, s.pool, nids)
}

// StateDelta returns the NIDs of snapshot to's events that differ from
// snapshot from, in NID order, filtered by keep: the state changes a
// reader who had from must be sent.
func (s *Service) StateDelta(ctx context.Context, from, to state.SnapshotNID, keep func(state.Key) bool) ([]events.NID, error) {
	if from == to {
		return nil, nil
	}
	before, err := s.state.Snapshot(ctx, s.pool, from)
	if err != nil {
		return nil, err
	}
	after, err := s.state.Snapshot(ctx, s.pool, to)
	if err != nil {
		return nil, err
	}
	var changed []state.KeyNID
	for k, n := range after {
		if before[k] != n {
			changed = append(changed, k)
		}
	}
	keys, err := s.state.Keys(ctx, s.pool, changed)
	if err != nil {
		return nil, err
	}
	var nids []events.NID
	for _, k := range changed {
		if keep(keys[k]) {
			nids = append(nids, after[k])
		}
	}
	slices.Sort(nids)
	return nids, nil
}

// StateNIDs returns the NIDs of a snapshot's events, in NID order, filtered
// by keep when it is not nil; readers of many rooms load them in one go.
func (s *Service) StateNIDs(ctx context.Context, snap state.SnapshotNID, keep func(state.Key) bool) ([]events.NID, error) {
	entries, err := s.state.Snapshot(ctx, s.pool, snap)
	if err != nil {
		return nil, err
	}
	keyNIDs := make([]state.KeyNID, 0, len(entries))
	for k := range entries {
		keyNIDs = append(keyNIDs, k)
	}
	keys, err := s.state.Keys(ctx, s.pool, keyNIDs)
	if err != nil {
		return nil, err
	}
	nids := make([]events.NID, 0, len(entries))
	for k, n := range entries {
		if keep == nil || keep(keys[k]) {
			nids = append(nids, n)
		}
	}
	slices.Sort(nids)
	return nids, nil
}

// StateEvent returns one state event of a snapshot, or M_NOT_FOUND.
func (s *Service) StateEvent(ctx context.Context, snap state.SnapshotNID, k state.Key) (*events.Event, error) {
	nid, ok, err := s.state.LookupKeyNID(ctx, s.pool, k)
	if err != nil {
		return nil, err
	}
	entries, err := s.state.Snapshot(ctx, s.pool, snap)
	if err != nil {
		return nil, err
	}
	evNID, found := entries[nid]
	if !ok || !found {
		return nil, mxerr.New(mxerr.NotFound, "the room has no %s state with key %q", k.Type, k.StateKey)
	}
	evs, err := events.ByNIDs(ctx, s.pool, []events.NID{evNID})
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return nil, mxerr.New(mxerr.NotFound, "state event not found")
	}
	return evs[0], nil
}

// SnapshotAt returns the room's state after the last event at or before a
// stream position, for reads "at" a sync or pagination token.
func (s *Service) SnapshotAt(ctx context.Context, roomNID int64, pos stream.Pos) (state.SnapshotNID, error) {
	after, err := s.q.EventLatestAtPos(ctx, s.pool, db.EventLatestAtPosParams{RoomNid: roomNID, StreamPos: ptr(int64(pos))})
	if pg.IsNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read state at %d: %w", pos, err)
	}
	if after == nil {
		return 0, nil
	}
	return state.SnapshotNID(*after), nil
}

// JoinedRooms lists the rooms user is joined to.
func (s *Service) JoinedRooms(ctx context.Context, user id.UserID) ([]id.RoomID, error) {
	rows, err := s.q.MembershipRoomsOfUser(ctx, s.pool, db.MembershipRoomsOfUserParams{UserID: user, Membership: "join"})
	if err != nil {
		return nil, fmt.Errorf("list joined rooms of %s: %w", user, err)
	}
	out := make([]id.RoomID, len(rows))
	for i, r := range rows {
		out[i] = id.RoomID(r)
	}
	return out, nil
}
