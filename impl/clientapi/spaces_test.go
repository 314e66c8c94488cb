package clientapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// spaceFixture is a space tree of alice's:
//
//	Top (public space; bob and dan joined, carol banned)
//	├── Beta     order "a"
//	├── Alpha    order "b", suggested
//	├── Sub      (public space), suggested
//	│   ├── Gamma   suggested
//	│   ├── Deep    (public space)
//	│   │   └── Epsilon
//	│   └── Top     (a cycle)
//	├── Hidden   (an invite-only space: alice alone sees it)
//	│   └── Gone    (so only alice sees it here)
//	├── Members  (restricted to Top's members)
//	├── Knock    (knock join rule)
//	├── a room of another server
//	└── Gone     (its child event has no via: not a child)
type spaceFixture struct {
	s                                  *servertest.Server
	alice, bob, carol, dan             *mautrix.Client
	top, beta, alpha, sub, gamma, deep *mautrix.RespCreateRoom
	epsilon, hidden, members, knock    *mautrix.RespCreateRoom
	gone                               *mautrix.RespCreateRoom
	private                            *mautrix.RespCreateRoom
}

const remoteRoom = id.RoomID("!far:elsewhere.test")

func newSpaceFixture(t *testing.T) *spaceFixture {
	t.Helper()
	ctx := context.Background()
	f := &spaceFixture{s: servertest.New(t)}
	f.alice = f.s.Register(t, "alice", "wonderland1")
	f.bob = f.s.Register(t, "bob", "builder12")
	f.carol = f.s.Register(t, "carol", "christmas1")
	f.dan = f.s.Register(t, "dan", "lion-tamer1")

	space := func(name, preset string) *mautrix.RespCreateRoom {
		r, err := f.alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: preset, Name: name,
			CreationContent: map[string]any{"type": "m.space"}})
		require.NoError(t, err)
		return r
	}
	room := func(name, preset string, initial ...*event.Event) *mautrix.RespCreateRoom {
		r, err := f.alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: preset, Name: name, InitialState: initial})
		require.NoError(t, err)
		return r
	}
	f.top = space("Top", "public_chat")
	f.beta = room("Beta", "public_chat")
	f.alpha = room("Alpha", "public_chat")
	f.sub = space("Sub", "public_chat")
	f.gamma = room("Gamma", "public_chat")
	f.deep = space("Deep", "public_chat")
	f.epsilon = room("Epsilon", "public_chat")
	f.hidden = space("Hidden", "private_chat")
	f.members = room("Members", "private_chat", stateEvent(event.StateJoinRules, map[string]any{"join_rule": "restricted",
		"allow": []any{map[string]any{"type": "m.room_membership", "room_id": string(f.top.RoomID)}}}))
	f.knock = room("Knock", "private_chat", stateEvent(event.StateJoinRules, map[string]any{"join_rule": "knock"}))
	f.gone = room("Gone", "public_chat")
	f.private = space("Private", "private_chat")

	child := func(space, child id.RoomID, content map[string]any) {
		// Each child event a millisecond after the last, so that the
		// order by origin_server_ts is the order they are sent in.
		f.s.Clock.Advance(time.Millisecond)
		if content == nil {
			content = map[string]any{}
		}
		if _, ok := content["via"]; !ok {
			content["via"] = []string{"hearth.test"}
		}
		_, err := f.alice.SendStateEvent(ctx, space, event.StateSpaceChild, string(child), content)
		require.NoError(t, err)
	}
	child(f.top.RoomID, f.sub.RoomID, map[string]any{"suggested": true})
	child(f.top.RoomID, f.alpha.RoomID, map[string]any{"order": "b", "suggested": true})
	child(f.top.RoomID, f.hidden.RoomID, nil)
	child(f.top.RoomID, f.beta.RoomID, map[string]any{"order": "a"})
	child(f.top.RoomID, f.members.RoomID, map[string]any{"order": "\u00e9"}) // invalid order: as if none
	child(f.top.RoomID, f.knock.RoomID, nil)
	child(f.top.RoomID, remoteRoom, map[string]any{"via": []string{"elsewhere.test"}})
	child(f.top.RoomID, f.gone.RoomID, map[string]any{"via": []string{}})
	child(f.sub.RoomID, f.gamma.RoomID, map[string]any{"suggested": true})
	child(f.sub.RoomID, f.deep.RoomID, nil)
	child(f.sub.RoomID, f.top.RoomID, nil)
	child(f.deep.RoomID, f.epsilon.RoomID, nil)
	child(f.hidden.RoomID, f.gone.RoomID, nil)
	child(f.private.RoomID, f.beta.RoomID, nil)

	_, err := f.bob.JoinRoomByID(ctx, f.top.RoomID)
	require.NoError(t, err)
	_, err = f.dan.JoinRoomByID(ctx, f.top.RoomID)
	require.NoError(t, err)
	_, err = f.alice.BanUser(ctx, f.top.RoomID, &mautrix.ReqBanUser{UserID: f.carol.UserID})
	require.NoError(t, err)
	return f
}

func roomIDs(rooms []*mautrix.ChildRoomsChunk) []id.RoomID {
	out := make([]id.RoomID, len(rooms))
	for i, r := range rooms {
		out[i] = r.RoomID
	}
	return out
}

func childIDs(r *mautrix.ChildRoomsChunk) []id.RoomID {
	out := make([]id.RoomID, len(r.ChildrenState))
	for i, ev := range r.ChildrenState {
		out[i] = id.RoomID(*ev.StateKey)
	}
	return out
}

func TestSpaceHierarchy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newSpaceFixture(t)

	t.Run("the whole tree, depth first, in the spec's order", func(t *testing.T) {
		t.Parallel()
		resp, err := f.bob.Hierarchy(ctx, f.top.RoomID, nil)
		require.NoError(t, err)
		require.Empty(t, resp.NextBatch)
		// Hidden is left out, and so is what lies below it; the remote
		// room cannot be fetched; Top comes once despite the cycle.
		require.Equal(t, []id.RoomID{f.top.RoomID, f.beta.RoomID, f.alpha.RoomID, f.sub.RoomID, f.gamma.RoomID,
			f.deep.RoomID, f.epsilon.RoomID, f.members.RoomID, f.knock.RoomID}, roomIDs(resp.Rooms))

		top := resp.Rooms[0]
		require.Equal(t, "Top", top.Name)
		require.Equal(t, event.RoomTypeSpace, top.RoomType)
		require.Equal(t, event.JoinRulePublic, top.JoinRule)
		require.Equal(t, 3, top.NumJoinedMembers)
		require.Equal(t, id.RoomV11, top.RoomVersion)
		// Ordered children first ("a" before "b"), then by timestamp;
		// Gone has no via, so it is not a child.
		require.Equal(t, []id.RoomID{f.beta.RoomID, f.alpha.RoomID, f.sub.RoomID, f.hidden.RoomID, f.members.RoomID,
			f.knock.RoomID, remoteRoom}, childIDs(top))
		for _, ev := range top.ChildrenState {
			require.Equal(t, event.StateSpaceChild, ev.Type)
			require.Equal(t, f.alice.UserID, ev.Sender)
			require.NotZero(t, ev.Timestamp)
			require.Empty(t, ev.ID, "children are stripped events")
		}
		require.Equal(t, "a", top.ChildrenState[0].Content.Raw["order"])

		members := resp.Rooms[7]
		require.Equal(t, event.JoinRuleRestricted, members.JoinRule)
		require.Equal(t, []id.RoomID{f.top.RoomID}, members.AllowedRoomIDs)
		require.Empty(t, members.ChildrenState, "rooms that are not spaces have no children")
		require.NotNil(t, members.ChildrenState, "children_state is always there")
	})
	t.Run("the owner sees the private child", func(t *testing.T) {
		t.Parallel()
		resp, err := f.alice.Hierarchy(ctx, f.top.RoomID, nil)
		require.NoError(t, err)
		require.Equal(t, []id.RoomID{f.top.RoomID, f.beta.RoomID, f.alpha.RoomID, f.sub.RoomID, f.gamma.RoomID,
			f.deep.RoomID, f.epsilon.RoomID, f.hidden.RoomID, f.gone.RoomID, f.members.RoomID, f.knock.RoomID}, roomIDs(resp.Rooms))
	})
	t.Run("suggested only", func(t *testing.T) {
		t.Parallel()
		resp, err := f.bob.Hierarchy(ctx, f.top.RoomID, &mautrix.ReqHierarchy{SuggestedOnly: true})
		require.NoError(t, err)
		require.Equal(t, []id.RoomID{f.top.RoomID, f.alpha.RoomID, f.sub.RoomID, f.gamma.RoomID}, roomIDs(resp.Rooms))
		require.Equal(t, []id.RoomID{f.alpha.RoomID, f.sub.RoomID}, childIDs(resp.Rooms[0]))
	})
	t.Run("max depth", func(t *testing.T) {
		t.Parallel()
		zero, one := 0, 1
		resp, err := f.bob.Hierarchy(ctx, f.top.RoomID, &mautrix.ReqHierarchy{MaxDepth: &one})
		require.NoError(t, err)
		require.Equal(t, []id.RoomID{f.top.RoomID, f.beta.RoomID, f.alpha.RoomID, f.sub.RoomID, f.members.RoomID,
			f.knock.RoomID}, roomIDs(resp.Rooms))
		require.Equal(t, []id.RoomID{f.gamma.RoomID, f.deep.RoomID, f.top.RoomID}, childIDs(resp.Rooms[3]),
			"rooms at the deepest level still show their children")
		resp, err = f.bob.Hierarchy(ctx, f.top.RoomID, &mautrix.ReqHierarchy{MaxDepth: &zero})
		require.NoError(t, err)
		require.Equal(t, []id.RoomID{f.top.RoomID}, roomIDs(resp.Rooms))
		require.Len(t, resp.Rooms[0].ChildrenState, 7)
	})
	t.Run("from a room below", func(t *testing.T) {
		t.Parallel()
		resp, err := f.bob.Hierarchy(ctx, f.sub.RoomID, nil)
		require.NoError(t, err)
		require.Equal(t, []id.RoomID{f.sub.RoomID, f.gamma.RoomID, f.deep.RoomID, f.epsilon.RoomID, f.top.RoomID,
			f.beta.RoomID, f.alpha.RoomID, f.members.RoomID, f.knock.RoomID}, roomIDs(resp.Rooms))
	})
	t.Run("a room that is not a space", func(t *testing.T) {
		t.Parallel()
		resp, err := f.bob.Hierarchy(ctx, f.beta.RoomID, nil)
		require.NoError(t, err)
		require.Equal(t, []id.RoomID{f.beta.RoomID}, roomIDs(resp.Rooms))
	})
	t.Run("pages", func(t *testing.T) {
		t.Parallel()
		var all []id.RoomID
		var tokens []string
		req := &mautrix.ReqHierarchy{Limit: 4}
		for {
			resp, err := f.bob.Hierarchy(ctx, f.top.RoomID, req)
			require.NoError(t, err)
			require.LessOrEqual(t, len(resp.Rooms), 4)
			all = append(all, roomIDs(resp.Rooms)...)
			if resp.NextBatch == "" {
				break
			}
			tokens = append(tokens, resp.NextBatch)
			req.From = resp.NextBatch
		}
		require.Len(t, tokens, 2)
		require.Equal(t, []id.RoomID{f.top.RoomID, f.beta.RoomID, f.alpha.RoomID, f.sub.RoomID, f.gamma.RoomID,
			f.deep.RoomID, f.epsilon.RoomID, f.members.RoomID, f.knock.RoomID}, all)

		// A token names the same place every time, and asks for the same
		// parameters.
		again, err := f.bob.Hierarchy(ctx, f.top.RoomID, &mautrix.ReqHierarchy{Limit: 4})
		require.NoError(t, err)
		require.Equal(t, tokens[0], again.NextBatch)
		page, err := f.bob.Hierarchy(ctx, f.top.RoomID, &mautrix.ReqHierarchy{Limit: 2, From: tokens[0]})
		require.NoError(t, err)
		require.Equal(t, []id.RoomID{f.gamma.RoomID, f.deep.RoomID}, roomIDs(page.Rooms))
		for _, q := range []string{"suggested_only=true", "max_depth=3", "max_depth=20&suggested_only=false"} {
			r := f.s.Do(t, servertest.Request{Method: http.MethodGet, Token: f.bob.AccessToken,
				Path: hierarchyPath(f.top.RoomID) + "?from=" + url.QueryEscape(tokens[0]) + "&" + q})
			if q == "max_depth=20&suggested_only=false" {
				require.Equal(t, http.StatusOK, r.Status, "the defaults, spelt out")
				continue
			}
			require.Equal(t, http.StatusBadRequest, r.Status, q)
			require.Equal(t, "M_INVALID_PARAM", r.Errcode(), q)
		}
		r := f.s.Do(t, servertest.Request{Method: http.MethodGet, Token: f.bob.AccessToken,
			Path: hierarchyPath(f.sub.RoomID) + "?from=" + url.QueryEscape(tokens[0])})
		require.Equal(t, "M_INVALID_PARAM", r.Errcode(), "a token of another space")
	})
}

func TestSpaceHierarchyPagesAcrossChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	create := func(name string, content map[string]any) id.RoomID {
		r, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat", Name: name, CreationContent: content})
		require.NoError(t, err)
		return r.RoomID
	}
	addChild := func(space, child id.RoomID, order string) {
		_, err := alice.SendStateEvent(ctx, space, event.StateSpaceChild, string(child),
			map[string]any{"via": []string{"hearth.test"}, "order": order})
		require.NoError(t, err)
	}
	space := create("Space", map[string]any{"type": "m.space"})
	one, two, three := create("One", nil), create("Two", nil), create("Three", nil)
	addChild(space, one, "1")
	addChild(space, two, "2")
	addChild(space, three, "3")

	first, err := bob.Hierarchy(ctx, space, &mautrix.ReqHierarchy{Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []id.RoomID{space, one}, roomIDs(first.Rooms))

	// A new first child appears between the pages: the next page starts
	// after the last room listed, so nothing is listed twice.
	zero := create("Zero", nil)
	addChild(space, zero, "0")
	rest, err := bob.Hierarchy(ctx, space, &mautrix.ReqHierarchy{Limit: 5, From: first.NextBatch})
	require.NoError(t, err)
	require.Equal(t, []id.RoomID{two, three}, roomIDs(rest.Rooms))

	// The last room listed leaves the space: the next page starts where it
	// was.
	second, err := bob.Hierarchy(ctx, space, &mautrix.ReqHierarchy{Limit: 3})
	require.NoError(t, err)
	require.Equal(t, []id.RoomID{space, zero, one}, roomIDs(second.Rooms))
	_, err = alice.SendStateEvent(ctx, space, event.StateSpaceChild, string(one), map[string]any{})
	require.NoError(t, err)
	rest, err = bob.Hierarchy(ctx, space, &mautrix.ReqHierarchy{Limit: 3, From: second.NextBatch})
	require.NoError(t, err)
	require.Equal(t, []id.RoomID{two, three}, roomIDs(rest.Rooms))
}

func hierarchyPath(room id.RoomID) string {
	return "/_matrix/client/v1/rooms/" + url.PathEscape(string(room)) + "/hierarchy"
}

func TestSpaceHierarchyRefusals(t *testing.T) {
	t.Parallel()
	f := newSpaceFixture(t)
	for _, tc := range []struct {
		name, path, token string
		status            int
		errcode           string
	}{
		{"a private space, to a non-member", hierarchyPath(f.private.RoomID), f.bob.AccessToken, http.StatusForbidden, "M_FORBIDDEN"},
		{"a public space, to a banned user", hierarchyPath(f.top.RoomID), f.carol.AccessToken, http.StatusForbidden, "M_FORBIDDEN"},
		{"an unknown room", hierarchyPath("!nowhere:hearth.test"), f.bob.AccessToken, http.StatusForbidden, "M_FORBIDDEN"},
		{"a room of another server", hierarchyPath(remoteRoom), f.bob.AccessToken, http.StatusForbidden, "M_FORBIDDEN"},
		{"not a room ID", hierarchyPath("#top:hearth.test"), f.bob.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"a zero limit", hierarchyPath(f.top.RoomID) + "?limit=0", f.bob.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"a negative limit", hierarchyPath(f.top.RoomID) + "?limit=-3", f.bob.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"a limit that is no number", hierarchyPath(f.top.RoomID) + "?limit=ten", f.bob.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"a negative max_depth", hierarchyPath(f.top.RoomID) + "?max_depth=-1", f.bob.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"suggested_only that is no boolean", hierarchyPath(f.top.RoomID) + "?suggested_only=maybe", f.bob.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"a made-up token", hierarchyPath(f.top.RoomID) + "?from=abc", f.bob.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"a token of another endpoint", hierarchyPath(f.top.RoomID) + "?from=bTEyMw", f.bob.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"no access token", hierarchyPath(f.top.RoomID), "", http.StatusUnauthorized, "M_MISSING_TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := f.s.Do(t, servertest.Request{Method: http.MethodGet, Path: tc.path, Token: tc.token})
			require.Equal(t, tc.status, r.Status, string(r.Raw))
			require.Equal(t, tc.errcode, r.Errcode())
		})
	}

	t.Run("a private space, to a member", func(t *testing.T) {
		t.Parallel()
		r := f.s.Do(t, servertest.Request{Method: http.MethodGet, Path: hierarchyPath(f.private.RoomID), Token: f.alice.AccessToken})
		require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
		rooms := r.Body["rooms"].([]any)
		require.Len(t, rooms, 2)
		require.Equal(t, false, rooms[0].(map[string]any)["world_readable"])
		require.Equal(t, "invite", rooms[0].(map[string]any)["join_rule"])
	})
}
