package clientapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// searchIDs runs a search and returns the event IDs found, in order.
func searchIDs(t *testing.T, c *mautrix.Client, req *mautrix.ReqSearch) ([]id.EventID, *mautrix.RespSearch) {
	t.Helper()
	resp, err := c.Search(context.Background(), req)
	require.NoError(t, err)
	ids := []id.EventID{}
	for _, r := range resp.Results {
		ids = append(ids, r.Event.ID)
	}
	return ids, resp
}

func send(t *testing.T, c *mautrix.Client, room id.RoomID, body string) id.EventID {
	t.Helper()
	resp, err := c.SendText(context.Background(), room, body)
	require.NoError(t, err)
	return resp.EventID
}

func TestSearchWithMautrix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")

	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat", Name: "Mars colony", Topic: "red planet news"})
	require.NoError(t, err)
	room := created.RoomID
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)
	m1 := send(t, alice, room, "The Martians have landed near Woking")
	m2 := send(t, alice, room, "Men and martians fight on the common")
	send(t, alice, room, "Time for tea")
	m4 := send(t, alice, room, "A martian tripod was seen")
	m5 := send(t, bob, room, "Martians? No, just men in suits")
	// A room bob is not in.
	other, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	send(t, alice, other.RoomID, "Martians in another room")

	// Newest first; stemming finds "martian" for "martians"; only bob's
	// room.
	ids, resp := searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "martians", OrderBy: "recent"})
	require.Equal(t, []id.EventID{m5, m4, m2, m1}, ids)
	require.Equal(t, 4, resp.Count)
	require.ElementsMatch(t, []string{"Martians", "martian", "martians"}, resp.Highlights)
	require.Empty(t, resp.NextBatch)
	require.Equal(t, room, resp.Results[0].Event.RoomID)
	require.Equal(t, bob.UserID, resp.Results[0].Event.Sender)

	// By rank (the default): the same events, ranks never rising; every
	// word must match.
	ids, resp = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "martians"})
	require.ElementsMatch(t, []id.EventID{m5, m4, m2, m1}, ids)
	for i := 1; i < len(resp.Results); i++ {
		require.LessOrEqual(t, resp.Results[i].Rank, resp.Results[i-1].Rank)
	}
	require.Positive(t, resp.Results[len(resp.Results)-1].Rank)
	ids, _ = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "martians men", OrderBy: "recent"})
	require.Equal(t, []id.EventID{m5, m2}, ids)
	ids, _ = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: `martians -men`, OrderBy: "recent"})
	require.Equal(t, []id.EventID{m4, m1}, ids)
	ids, _ = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: `"martian tripod"`, OrderBy: "recent"})
	require.Equal(t, []id.EventID{m4}, ids)

	// Keys: the room's name and topic are searchable too, and only the
	// keys asked for are searched.
	_, resp = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "colony"})
	require.Len(t, resp.Results, 1)
	require.Equal(t, event.StateRoomName, resp.Results[0].Event.Type)
	ids, _ = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "colony", Keys: []string{"content.body", "content.topic"}})
	require.Empty(t, ids)
	_, resp = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "planet", Keys: []string{"content.topic"}})
	require.Len(t, resp.Results, 1)
	require.Equal(t, event.StateTopic, resp.Results[0].Event.Type)

	// Filters: senders, rooms, types.
	ids, _ = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "martians", OrderBy: "recent", Filter: &mautrix.FilterPart{Senders: []id.UserID{alice.UserID}}})
	require.Equal(t, []id.EventID{m4, m2, m1}, ids)
	ids, _ = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "martians", OrderBy: "recent", Filter: &mautrix.FilterPart{NotSenders: []id.UserID{alice.UserID}}})
	require.Equal(t, []id.EventID{m5}, ids)
	ids, _ = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "martians", Filter: &mautrix.FilterPart{Rooms: []id.RoomID{other.RoomID}}})
	require.Empty(t, ids, "a room bob is not in stays closed whatever the filter")
	ids, _ = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "martians", Filter: &mautrix.FilterPart{NotTypes: []event.Type{event.EventMessage}}})
	require.Empty(t, ids)

	// Someone who never joined either room finds nothing.
	ids, resp = searchIDs(t, carol, &mautrix.ReqSearch{SearchTerm: "martians"})
	require.Empty(t, ids)
	require.Zero(t, resp.Count)

	// Pages of two, newest first and by rank: every result once.
	for _, order := range []string{"recent", "rank"} {
		var all []id.EventID
		req := &mautrix.ReqSearch{SearchTerm: "martians", OrderBy: order, Filter: &mautrix.FilterPart{Limit: 2}}
		for page := 0; ; page++ {
			require.Less(t, page, 3, order)
			ids, resp := searchIDs(t, bob, req)
			require.LessOrEqual(t, len(ids), 2)
			all = append(all, ids...)
			if resp.NextBatch == "" {
				break
			}
			req.NextBatch = resp.NextBatch
		}
		require.ElementsMatch(t, []id.EventID{m5, m4, m2, m1}, all, order)
		if order == "recent" {
			require.Equal(t, []id.EventID{m5, m4, m2, m1}, all)
		}
	}

	// Groups by room and sender, with each group's next_batch keeping to
	// its group.
	_, resp = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "martians", OrderBy: "recent", Filter: &mautrix.FilterPart{Limit: 1},
		Groupings: mautrix.SearchGroupings{GroupBy: []mautrix.SearchGroup{{Key: "room_id"}, {Key: "sender"}}}})
	require.Equal(t, []string{string(m5)}, resp.Groups["room_id"][string(room)].Results)
	require.Equal(t, 1, resp.Groups["room_id"][string(room)].Order)
	bobGroup := resp.Groups["sender"][string(bob.UserID)]
	require.Equal(t, []string{string(m5)}, bobGroup.Results)
	require.NotEmpty(t, bobGroup.NextBatch)
	ids, resp = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "martians", OrderBy: "recent", NextBatch: resp.Groups["room_id"][string(room)].NextBatch})
	require.Equal(t, []id.EventID{m4, m2, m1}, ids)
	ids, _ = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "martians", OrderBy: "recent", NextBatch: bobGroup.NextBatch})
	require.Empty(t, ids, "bob said nothing else about martians")

	// The rooms' current state, on request.
	_, resp = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "tripod", IncludeState: true})
	var name string
	for _, ev := range resp.State[room] {
		if ev.Type == event.StateRoomName {
			require.NoError(t, ev.Content.ParseRaw(ev.Type))
			name = ev.Content.AsRoomName().Name
		}
	}
	require.Equal(t, "Mars colony", name)

	// A redacted message drops out of the search.
	_, err = alice.RedactEvent(ctx, room, m4)
	require.NoError(t, err)
	ids, _ = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "martians", OrderBy: "recent"})
	require.Equal(t, []id.EventID{m5, m2, m1}, ids)
}

func TestSearchContext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	room := created.RoomID
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)
	require.NoError(t, alice.SetDisplayName(ctx, "Alice Liddell"))
	b1 := send(t, bob, room, "one")
	b2 := send(t, bob, room, "two")
	hit := send(t, alice, room, "the needle in the haystack")
	a1 := send(t, bob, room, "three")
	a2 := send(t, bob, room, "four")
	send(t, bob, room, "five")

	ids := func(evs []any) []id.EventID {
		out := []id.EventID{}
		for _, e := range evs {
			out = append(out, id.EventID(e.(map[string]any)["event_id"].(string)))
		}
		return out
	}
	search := func(ec map[string]any) map[string]any {
		r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/search", Token: bob.AccessToken,
			Body: map[string]any{"search_categories": map[string]any{"room_events": map[string]any{"search_term": "needle", "event_context": ec}}}})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		results := r.Body["search_categories"].(map[string]any)["room_events"].(map[string]any)["results"].([]any)
		require.Len(t, results, 1)
		res := results[0].(map[string]any)
		require.Equal(t, string(hit), res["result"].(map[string]any)["event_id"])
		return res["context"].(map[string]any)
	}

	c := search(map[string]any{"before_limit": 2, "after_limit": 2, "include_profile": true})
	require.Equal(t, []id.EventID{b2, b1}, ids(c["events_before"].([]any)), "newest first")
	require.Equal(t, []id.EventID{a1, a2}, ids(c["events_after"].([]any)))
	require.NotEmpty(t, c["start"])
	require.NotEmpty(t, c["end"])
	profiles := c["profile_info"].(map[string]any)
	require.Equal(t, "Alice Liddell", profiles[string(alice.UserID)].(map[string]any)["displayname"])
	require.Equal(t, "bob", profiles[string(bob.UserID)].(map[string]any)["displayname"])

	// Uneven limits, and no profiles unless asked.
	c = search(map[string]any{"before_limit": 1, "after_limit": 3})
	require.Equal(t, []id.EventID{b2}, ids(c["events_before"].([]any)))
	require.Len(t, c["events_after"], 3)
	require.NotContains(t, c, "profile_info")
	// The end token goes on from the last event after.
	msgs, err := bob.Messages(ctx, room, c["end"].(string), "", mautrix.DirectionForward, nil, 10)
	require.NoError(t, err)
	require.Empty(t, msgs.Chunk)
	c = search(map[string]any{"before_limit": 0, "after_limit": 0})
	require.Empty(t, c["events_before"])
	require.Empty(t, c["events_after"])
}

func TestSearchHistoryVisibility(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat",
		InitialState: []*event.Event{{Type: event.StateHistoryVisibility, Content: event.Content{
			Parsed: &event.HistoryVisibilityEventContent{HistoryVisibility: event.HistoryVisibilityJoined}}}}})
	require.NoError(t, err)
	room := created.RoomID
	send(t, alice, room, "secret plans before bob came")
	_, err = alice.InviteUser(ctx, room, &mautrix.ReqInviteUser{UserID: carol.UserID})
	require.NoError(t, err)
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)
	later := send(t, alice, room, "open plans for everyone here")

	ids, _ := searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "plans"})
	require.Equal(t, []id.EventID{later}, ids, "history before the join stays hidden")
	ids, _ = searchIDs(t, alice, &mautrix.ReqSearch{SearchTerm: "plans"})
	require.Len(t, ids, 2)
	ids, _ = searchIDs(t, carol, &mautrix.ReqSearch{SearchTerm: "plans"})
	require.Empty(t, ids, "an invitee searches nothing")

	// Bob leaves: the room is no longer searched for him.
	_, err = bob.LeaveRoom(ctx, room)
	require.NoError(t, err)
	ids, _ = searchIDs(t, bob, &mautrix.ReqSearch{SearchTerm: "plans"})
	require.Empty(t, ids)
}

func TestSearchErrors(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	events := func(re map[string]any) map[string]any {
		return map[string]any{"search_categories": map[string]any{"room_events": re}}
	}
	for _, tc := range []struct {
		name    string
		query   string
		body    any
		status  int
		errcode string
	}{
		{"no search term", "", events(map[string]any{"keys": []string{"content.body"}}), http.StatusBadRequest, "M_BAD_JSON"},
		{"unknown order", "", events(map[string]any{"search_term": "x", "order_by": "sideways"}), http.StatusBadRequest, "M_BAD_JSON"},
		{"unknown key", "", events(map[string]any{"search_term": "x", "keys": []string{"content.nope"}}), http.StatusBadRequest, "M_BAD_JSON"},
		{"unknown group", "", events(map[string]any{"search_term": "x", "groupings": map[string]any{"group_by": []any{map[string]any{"key": "colour"}}}}),
			http.StatusBadRequest, "M_BAD_JSON"},
		{"negative context", "", events(map[string]any{"search_term": "x", "event_context": map[string]any{"before_limit": -1}}),
			http.StatusBadRequest, "M_INVALID_PARAM"},
		{"zero limit", "", events(map[string]any{"search_term": "x", "filter": map[string]any{"limit": 0}}), http.StatusBadRequest, "M_INVALID_PARAM"},
		{"bad filter room", "", events(map[string]any{"search_term": "x", "filter": map[string]any{"rooms": []string{"nowhere"}}}),
			http.StatusBadRequest, "M_BAD_JSON"},
		{"bad next_batch", "?next_batch=" + url.QueryEscape("not a token"), events(map[string]any{"search_term": "x"}), http.StatusBadRequest, "M_INVALID_PARAM"},
		{"no categories", "", map[string]any{}, http.StatusBadRequest, "M_BAD_JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/search" + tc.query, Token: alice.AccessToken, Body: tc.body})
			require.Equal(t, tc.status, r.Status, "%s", r.Raw)
			require.Equal(t, tc.errcode, r.Errcode())
		})
	}
	// A token of one order is refused by the other.
	created, err := alice.CreateRoom(context.Background(), &mautrix.ReqCreateRoom{})
	require.NoError(t, err)
	for range 3 {
		send(t, alice, created.RoomID, "echo, echo")
	}
	_, resp := searchIDs(t, alice, &mautrix.ReqSearch{SearchTerm: "echo", OrderBy: "recent", Filter: &mautrix.FilterPart{Limit: 1}})
	require.NotEmpty(t, resp.NextBatch)
	_, err = alice.Search(context.Background(), &mautrix.ReqSearch{SearchTerm: "echo", OrderBy: "rank", NextBatch: resp.NextBatch})
	require.ErrorIs(t, err, mautrix.MInvalidParam)
	// An empty term, or one of stop words only, finds nothing.
	for _, term := range []string{"", "the and"} {
		ids, resp := searchIDs(t, alice, &mautrix.ReqSearch{SearchTerm: term})
		require.Empty(t, ids, term)
		require.Zero(t, resp.Count)
	}
}
