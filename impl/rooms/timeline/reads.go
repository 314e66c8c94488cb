package timeline

import (
	"context"
	"encoding/json"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/state"
	"github.com/hearth-hs/hearth/impl/stream"
)

var errEventNotFound = mxerr.New(mxerr.NotFound, "event not found")

// Event returns one event of a room in its client form, if the viewer may
// see it; events they may not see are not found, and neither are the
// events of rooms they may not read.
func (r *Reader) Event(ctx context.Context, room id.RoomID, evID id.EventID, v Viewer) (json.RawMessage, error) {
	ev, err := events.ByID(ctx, r.pool, evID)
	if err != nil || ev.RoomID != room {
		return nil, errEventNotFound
	}
	a, err := r.accessToEvent(ctx, room, v.User)
	if err != nil {
		return nil, err
	}
	visible, err := r.visible(ctx, a, []*events.Event{ev})
	if err != nil {
		return nil, err
	}
	if len(visible) == 0 {
		return nil, errEventNotFound
	}
	out, err := r.Render(ctx, visible, v, RenderOptions{Until: a.until})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// MembersQuery filters a member list.
type MembersQuery struct {
	// At is a token: the members then, rather than now.
	At string
	// Membership keeps only members with it; NotMembership drops them.
	Membership, NotMembership string
}

// Members returns the room's member events as the viewer may read them.
func (r *Reader) Members(ctx context.Context, room id.RoomID, v Viewer, q MembersQuery) ([]json.RawMessage, error) {
	view, err := r.rooms.View(ctx, room, v.User)
	if err != nil {
		return nil, err
	}
	snap := view.Snapshot
	if q.At != "" {
		pos, err := stream.ParseToken(q.At)
		if err != nil {
			return nil, err
		}
		at, err := r.rooms.SnapshotAt(ctx, view.NID, pos)
		if err != nil {
			return nil, err
		}
		if view.Membership == event.MembershipJoin || at < snap {
			// Readers who left see no further than their leave.
			snap = at
		}
	}
	evs, err := r.rooms.StateEvents(ctx, snap, func(k state.Key) bool { return k.Type == event.StateMember.Type })
	if err != nil {
		return nil, err
	}
	kept := evs[:0]
	for _, e := range evs {
		m := gjson.GetBytes(e.Content(), "membership").Str
		if (q.Membership == "" || m == q.Membership) && (q.NotMembership == "" || m != q.NotMembership) {
			kept = append(kept, e)
		}
	}
	return r.Render(ctx, kept, v, RenderOptions{})
}

// Profile is a member's display name and avatar in a room.
type Profile struct {
	DisplayName, AvatarURL string
}

// JoinedMembers returns the room's joined members with their room profiles.
func (r *Reader) JoinedMembers(ctx context.Context, room id.RoomID, user id.UserID) (map[id.UserID]Profile, error) {
	view, err := r.rooms.View(ctx, room, user)
	if err != nil {
		return nil, err
	}
	evs, err := r.rooms.StateEvents(ctx, view.Snapshot, func(k state.Key) bool { return k.Type == event.StateMember.Type })
	if err != nil {
		return nil, err
	}
	out := make(map[id.UserID]Profile, len(evs))
	for _, e := range evs {
		c := gjson.ParseBytes(e.Content())
		if c.Get("membership").Str == "join" {
			out[id.UserID(*e.StateKey)] = Profile{DisplayName: c.Get("displayname").Str, AvatarURL: c.Get("avatar_url").Str}
		}
	}
	return out, nil
}
