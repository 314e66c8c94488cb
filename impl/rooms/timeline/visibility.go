package timeline

import (
	"context"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/state"
)

// seenAt is what decides visibility at one point of a room's history.
type seenAt struct {
	visibility string
	membership event.Membership
}

// Visible keeps the events of evs that user may see under the room's
// history visibility, given the user's membership now. Each event is
// judged by the visibility and the user's membership in the state before
// it; a user always sees their own membership events.
func (r *Reader) Visible(ctx context.Context, user id.UserID, membershipNow event.Membership, evs []*events.Event) ([]*events.Event, error) {
	memberKey := state.Key{Type: event.StateMember.Type, StateKey: string(user)}
	visKey := state.Key{Type: event.StateHistoryVisibility.Type}
	st := r.rooms.State()
	memberNID, memberKnown, err := st.LookupKeyNID(ctx, r.pool, memberKey)
	if err != nil {
		return nil, err
	}
	visNID, visKnown, err := st.LookupKeyNID(ctx, r.pool, visKey)
	if err != nil {
		return nil, err
	}
	at := map[int64]seenAt{}
	out := evs[:0:0]
	for _, e := range evs {
		if e.StateKey != nil && e.Type == event.StateMember.Type && *e.StateKey == string(user) {
			out = append(out, e)
			continue
		}
		seen, ok := at[e.StateBefore]
		if !ok {
			if seen, err = r.seenAt(ctx, state.SnapshotNID(e.StateBefore), memberNID, memberKnown, visNID, visKnown); err != nil {
				return nil, err
			}
			at[e.StateBefore] = seen
		}
		if maySee(seen, membershipNow) {
			out = append(out, e)
		}
	}
	return out, nil
}

// maySee decides one event: world-readable history is for everyone; members
// at the time see it; invitees too under "invited"; and under "shared"
// every current member sees the room's whole history.
func maySee(seen seenAt, now event.Membership) bool {
	switch {
	case seen.visibility == "world_readable":
		return true
	case seen.membership == event.MembershipJoin:
		return true
	case seen.visibility == "invited" && seen.membership == event.MembershipInvite:
		return true
	case seen.visibility == "shared" && now == event.MembershipJoin:
		return true
	}
	return false
}

func (r *Reader) seenAt(ctx context.Context, snap state.SnapshotNID, memberNID state.KeyNID, memberKnown bool, visNID state.KeyNID, visKnown bool) (seenAt, error) {
	s := seenAt{visibility: "shared", membership: event.MembershipLeave}
	entries, err := r.rooms.State().Snapshot(ctx, r.pool, snap)
	if err != nil {
		return s, err
	}
	var want []events.NID
	var memberEv, visEv events.NID
	if memberKnown {
		memberEv = entries[memberNID]
	}
	if visKnown {
		visEv = entries[visNID]
	}
	for _, n := range []events.NID{memberEv, visEv} {
		if n != 0 {
			want = append(want, n)
		}
	}
	evs, err := events.ByNIDs(ctx, r.pool, want)
	if err != nil {
		return s, err
	}
	for _, e := range evs {
		switch e.NID {
		case memberEv:
			s.membership = event.Membership(gjson.GetBytes(e.Content(), "membership").Str)
		case visEv:
			if v := gjson.GetBytes(e.Content(), "history_visibility").Str; v != "" {
				s.visibility = v
			}
		}
	}
	return s, nil
}
