package clientapi_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func stateEvent(t event.Type, content map[string]any) *event.Event {
	return &event.Event{Type: t, Content: event.Content{Raw: content}}
}

// listed reads the room IDs of a page of the public room list.
func listed(r servertest.Response) []id.RoomID {
	var out []id.RoomID
	chunk, _ := r.Body["chunk"].([]any)
	for _, c := range chunk {
		out = append(out, id.RoomID(c.(map[string]any)["room_id"].(string)))
	}
	return out
}

func TestPublicRoomList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")
	anon := s.Client(t, "", "")

	create := func(req *mautrix.ReqCreateRoom, joiners ...*mautrix.Client) id.RoomID {
		t.Helper()
		created, err := alice.CreateRoom(ctx, req)
		require.NoError(t, err)
		for _, j := range joiners {
			_, err := j.JoinRoomByID(ctx, created.RoomID)
			require.NoError(t, err)
		}
		return created.RoomID
	}
	tea := create(&mautrix.ReqCreateRoom{Preset: "public_chat", Visibility: "public", Name: "Tea Party", Topic: "unbirthdays", RoomAliasName: "tea"}, bob, carol)
	croquet := create(&mautrix.ReqCreateRoom{Preset: "public_chat", Visibility: "public", Name: "Croquet"}, bob)
	// Three rooms of one member each: ties, ordered by room ID.
	space := create(&mautrix.ReqCreateRoom{Preset: "public_chat", Visibility: "public", Name: "Wonderland",
		CreationContent: map[string]any{"type": "m.space"}})
	knock := create(&mautrix.ReqCreateRoom{Preset: "private_chat", Visibility: "public", Name: "Knock here",
		InitialState: []*event.Event{stateEvent(event.StateJoinRules, map[string]any{"join_rule": "knock"})}})
	readable := create(&mautrix.ReqCreateRoom{Preset: "private_chat", Visibility: "public", Name: "Read only",
		InitialState: []*event.Event{stateEvent(event.StateHistoryVisibility, map[string]any{"history_visibility": "world_readable"})}})
	// Not listed: published but invite-only, and public but unpublished.
	create(&mautrix.ReqCreateRoom{Preset: "private_chat", Visibility: "public", Name: "Secret"})
	create(&mautrix.ReqCreateRoom{Preset: "public_chat", Name: "Unlisted"})

	singles := []id.RoomID{space, knock, readable}
	slices.Sort(singles)
	all := append([]id.RoomID{tea, croquet}, singles...)

	list, err := anon.PublicRooms(ctx, nil)
	require.NoError(t, err, "the list needs no access token")
	require.Equal(t, 5, list.TotalRoomCountEstimate)
	var got []id.RoomID
	for _, r := range list.Chunk {
		got = append(got, r.RoomID)
	}
	require.Equal(t, all, got, "largest first, ties by room ID")
	first := list.Chunk[0]
	require.Equal(t, "Tea Party", first.Name)
	require.Equal(t, "unbirthdays", first.Topic)
	require.Equal(t, id.RoomAlias("#tea:hearth.test"), first.CanonicalAlias)
	require.Equal(t, 3, first.NumJoinedMembers)
	require.Equal(t, event.JoinRulePublic, first.JoinRule)
	require.False(t, first.WorldReadable)
	require.False(t, first.GuestCanJoin, "public_chat forbids guests")
	for _, r := range list.Chunk {
		switch r.RoomID {
		case space:
			require.Equal(t, event.RoomTypeSpace, r.RoomType)
		case knock:
			require.Equal(t, event.JoinRuleKnock, r.JoinRule)
		case readable:
			require.True(t, r.WorldReadable)
			require.True(t, r.GuestCanJoin, "private_chat lets guests join")
		}
	}

	t.Run("pagination", func(t *testing.T) {
		page1, err := anon.PublicRooms(ctx, &mautrix.ReqPublicRooms{Limit: 2})
		require.NoError(t, err)
		require.Len(t, page1.Chunk, 2)
		require.Empty(t, page1.PrevBatch)
		require.NotEmpty(t, page1.NextBatch)
		page2, err := anon.PublicRooms(ctx, &mautrix.ReqPublicRooms{Limit: 2, Since: page1.NextBatch})
		require.NoError(t, err)
		page3, err := anon.PublicRooms(ctx, &mautrix.ReqPublicRooms{Limit: 2, Since: page2.NextBatch})
		require.NoError(t, err)
		require.Empty(t, page3.NextBatch, "the last page")
		var got []id.RoomID
		for _, p := range []*mautrix.RespPublicRooms{page1, page2, page3} {
			for _, r := range p.Chunk {
				got = append(got, r.RoomID)
			}
		}
		require.Equal(t, all, got)
		back, err := anon.PublicRooms(ctx, &mautrix.ReqPublicRooms{Limit: 2, Since: page3.PrevBatch})
		require.NoError(t, err)
		require.Equal(t, page2.Chunk, back.Chunk, "back from page 3 is page 2")
		back, err = anon.PublicRooms(ctx, &mautrix.ReqPublicRooms{Limit: 2, Since: back.PrevBatch})
		require.NoError(t, err)
		require.Equal(t, page1.Chunk, back.Chunk)
		require.Empty(t, back.PrevBatch, "the first page")
		require.Equal(t, page1.NextBatch, back.NextBatch)
	})

	t.Run("filters", func(t *testing.T) {
		query := func(body map[string]any) []id.RoomID {
			r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/publicRooms", Token: bob.AccessToken, Body: body})
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
			return listed(r)
		}
		for _, tc := range []struct {
			name string
			body map[string]any
			want []id.RoomID
		}{
			{"name, in any case", map[string]any{"filter": map[string]any{"generic_search_term": "tea PARTY"}}, []id.RoomID{tea}},
			{"topic", map[string]any{"filter": map[string]any{"generic_search_term": "birthday"}}, []id.RoomID{tea}},
			{"alias", map[string]any{"filter": map[string]any{"generic_search_term": "#tea:"}}, []id.RoomID{tea}},
			{"no match", map[string]any{"filter": map[string]any{"generic_search_term": "jabberwock"}}, nil},
			{"spaces", map[string]any{"filter": map[string]any{"room_types": []any{"m.space"}}}, []id.RoomID{space}},
			{"rooms without a type", map[string]any{"filter": map[string]any{"room_types": []any{nil}}}, without(all, space)},
			{"both", map[string]any{"filter": map[string]any{"room_types": []any{nil, "m.space"}}}, all},
			{"limit", map[string]any{"limit": 1}, []id.RoomID{tea}},
			{"a third-party network", map[string]any{"third_party_instance_id": "irc"}, nil},
			{"all networks", map[string]any{"include_all_networks": true}, all},
			{"this server by name", map[string]any{}, all},
		} {
			t.Run(tc.name, func(t *testing.T) {
				require.Equal(t, tc.want, query(tc.body))
			})
		}
		r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/publicRooms?server=hearth.test", Token: bob.AccessToken, Body: map[string]any{}})
		require.Equal(t, all, listed(r))
		r = s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/publicRooms", Token: bob.AccessToken,
			Body: map[string]any{"filter": map[string]any{"generic_search_term": "tea"}}})
		require.Equal(t, float64(1), r.Body["total_room_count_estimate"], "the total counts the filtered list")
	})

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			req     servertest.Request
			status  int
			errcode string
		}{
			{"another server's list", servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/publicRooms?server=elsewhere.test"},
				http.StatusBadGateway, "M_UNKNOWN"},
			{"a bad token", servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/publicRooms?since=nonsense"},
				http.StatusBadRequest, "M_INVALID_PARAM"},
			{"all networks and one network", servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/publicRooms", Token: bob.AccessToken,
				Body: map[string]any{"include_all_networks": true, "third_party_instance_id": "irc"}}, http.StatusBadRequest, "M_INVALID_PARAM"},
			{"POST without a token", servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/publicRooms", Body: map[string]any{}},
				http.StatusUnauthorized, "M_MISSING_TOKEN"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := s.Do(t, tc.req)
				require.Equal(t, tc.status, r.Status, "%s", r.Raw)
				require.Equal(t, tc.errcode, r.Errcode())
			})
		}
	})

	// The list follows the rooms' state: a new name, a member gone, a room
	// taken off the list.
	_, err = alice.SendStateEvent(ctx, croquet, event.StateRoomName, "", map[string]string{"name": "Croquet lawn"})
	require.NoError(t, err)
	_, err = carol.LeaveRoom(ctx, tea)
	require.NoError(t, err)
	_, err = bob.LeaveRoom(ctx, tea)
	require.NoError(t, err)
	r := s.Do(t, servertest.Request{Method: http.MethodPut, Path: visibilityPath(readable), Token: alice.AccessToken, Body: map[string]string{"visibility": "private"}})
	require.Equal(t, http.StatusOK, r.Status)
	list, err = anon.PublicRooms(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, 4, list.TotalRoomCountEstimate)
	require.Equal(t, croquet, list.Chunk[0].RoomID)
	require.Equal(t, "Croquet lawn", list.Chunk[0].Name)
	require.Equal(t, 2, list.Chunk[0].NumJoinedMembers)
	for _, r := range list.Chunk[1:] {
		require.Equal(t, 1, r.NumJoinedMembers, "%s", r.RoomID)
		require.NotEqual(t, readable, r.RoomID)
	}
}

func without(rooms []id.RoomID, drop id.RoomID) []id.RoomID {
	var out []id.RoomID
	for _, r := range rooms {
		if r != drop {
			out = append(out, r)
		}
	}
	return out
}

// TestPublicRoomListPagesThroughTies pages one room at a time through
// rooms of equal size, which only the room ID orders.
func TestPublicRoomListPagesThroughTies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	var want []id.RoomID
	for i := range 7 {
		created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat", Visibility: "public", Name: fmt.Sprint("room ", i)})
		require.NoError(t, err)
		want = append(want, created.RoomID)
	}
	slices.Sort(want)
	var got []id.RoomID
	since := ""
	for range 10 {
		page, err := alice.PublicRooms(ctx, &mautrix.ReqPublicRooms{Limit: 1, Since: since})
		require.NoError(t, err)
		for _, r := range page.Chunk {
			got = append(got, r.RoomID)
		}
		if since = page.NextBatch; since == "" {
			break
		}
	}
	require.Equal(t, want, got)
}
