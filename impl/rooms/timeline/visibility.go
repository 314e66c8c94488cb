package timeline

import (
	"context"
	"slices"

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
	a := &access{user: user, membership: membershipNow, until: noBound, wasJoined: membershipNow == event.MembershipJoin}
	return r.visible(ctx, a, evs)
}

// point is the member event of the reader and the history visibility
// event in one state snapshot (zero where the state has none).
type point struct {
	member, visibility events.NID
}

// visible is Visible for a reader whose access is known: nothing past
// a.until, and history shared with members for readers who were joined.
// It reads each distinct state snapshot once (from the state cache) and
// the deciding events in one query, and only those not seen before.
func (r *Reader) visible(ctx context.Context, a *access, evs []*events.Event) ([]*events.Event, error) {
	out := make([]*events.Event, 0, len(evs))
	if len(evs) == 0 {
		return out, nil
	}
	st := r.rooms.State()
	memberNID, memberKnown, err := st.LookupKeyNID(ctx, r.pool, state.Key{Type: event.StateMember.Type, StateKey: string(a.user)})
	if err != nil {
		return nil, err
	}
	visNID, visKnown, err := st.LookupKeyNID(ctx, r.pool, state.Key{Type: event.StateHistoryVisibility.Type})
	if err != nil {
		return nil, err
	}
	points := map[int64]point{}
	var missing []events.NID
	for _, e := range evs {
		if _, ok := points[e.StateBefore]; ok {
			continue
		}
		entries, err := st.Snapshot(ctx, r.pool, state.SnapshotNID(e.StateBefore))
		if err != nil {
			return nil, err
		}
		var p point
		if memberKnown {
			p.member = entries[memberNID]
		}
		if visKnown {
			p.visibility = entries[visNID]
		}
		points[e.StateBefore] = p
		for _, n := range []events.NID{p.member, p.visibility} {
			if _, ok := r.values.get(n); n != 0 && !ok && !slices.Contains(missing, n) {
				missing = append(missing, n)
			}
		}
	}
	if err := r.loadValues(ctx, missing); err != nil {
		return nil, err
	}
	for _, e := range evs {
		if e.Pos > a.until {
			continue
		}
		if e.StateKey != nil && e.Type == event.StateMember.Type && *e.StateKey == string(a.user) {
			out = append(out, e)
			continue
		}
		p := points[e.StateBefore]
		seen := seenAt{visibility: "shared", membership: event.MembershipLeave}
		if m, ok := r.values.get(p.member); ok && p.member != 0 {
			seen.membership = event.Membership(m)
		}
		if v, ok := r.values.get(p.visibility); ok && p.visibility != 0 && knownVisibility[v] {
			seen.visibility = v
		}
		if maySee(seen, a) {
			out = append(out, e)
		}
	}
	return out, nil
}

// loadValues reads the membership or visibility the events nids set into
// the value cache.
func (r *Reader) loadValues(ctx context.Context, nids []events.NID) error {
	if len(nids) == 0 {
		return nil
	}
	evs, err := events.ByNIDs(ctx, r.pool, nids)
	if err != nil {
		return err
	}
	for _, e := range evs {
		field := "history_visibility"
		if e.Type == event.StateMember.Type {
			field = "membership"
		}
		r.values.put(e.NID, gjson.GetBytes(e.Content(), field).Str)
	}
	return nil
}

// knownVisibility are the history visibilities of the spec; any other value
// counts as shared, the default.
var knownVisibility = map[string]bool{"world_readable": true, "shared": true, "invited": true, "joined": true}

// maySee decides one event: world-readable history is for everyone; members
// at the time see it; invitees too under "invited"; and under "shared"
// every member sees the room's whole history, up to their leave once they
// have left.
func maySee(seen seenAt, a *access) bool {
	switch {
	case seen.visibility == "world_readable":
		return true
	case seen.membership == event.MembershipJoin:
		return true
	case seen.visibility == "invited" && seen.membership == event.MembershipInvite:
		return true
	case seen.visibility == "shared" && a.wasJoined:
		return true
	}
	return false
}
