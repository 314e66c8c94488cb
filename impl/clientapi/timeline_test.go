package clientapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// body is the body of a message event, "" for others.
func body(t *testing.T, ev *event.Event) string {
	t.Helper()
	if ev.Type != event.EventMessage {
		return ""
	}
	var c struct {
		Body string `json:"body"`
	}
	require.NoError(t, json.Unmarshal(ev.Content.VeryRaw, &c))
	return c.Body
}

func bodies(t *testing.T, evs []*event.Event) []string {
	t.Helper()
	var out []string
	for _, ev := range evs {
		if b := body(t, ev); b != "" {
			out = append(out, b)
		}
	}
	return out
}

func ids(evs []*event.Event) []id.EventID {
	out := make([]id.EventID, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

// paginate reads a room's history to its end, page by page, checking that
// each page starts where the previous one ended.
func paginate(t *testing.T, cli *mautrix.Client, room id.RoomID, dir mautrix.Direction, from string, limit int, f *mautrix.FilterPart) (all []*event.Event, pages int) {
	t.Helper()
	ctx := context.Background()
	for {
		resp, err := cli.Messages(ctx, room, from, "", dir, f, limit)
		require.NoError(t, err)
		if from != "" {
			require.Equal(t, from, resp.Start, "start is the from token")
		}
		require.LessOrEqual(t, len(resp.Chunk), limit)
		all = append(all, resp.Chunk...)
		pages++
		require.Less(t, pages, 1000, "pagination must end")
		if resp.End == "" {
			return all, pages
		}
		from = resp.End
	}
}

// sendText sends a text message and returns its ID.
func sendText(t *testing.T, cli *mautrix.Client, room id.RoomID, text string) id.EventID {
	t.Helper()
	resp, err := cli.SendText(context.Background(), room, text)
	require.NoError(t, err)
	return resp.EventID
}

// twoUserRoom makes alice's private room with bob joined.
func twoUserRoom(t *testing.T, s *servertest.Server) (alice, bob *mautrix.Client, room id.RoomID) {
	t.Helper()
	ctx := context.Background()
	alice = s.Register(t, "alice", "wonderland1")
	bob = s.Register(t, "bob", "builder12")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{bob.UserID}})
	require.NoError(t, err)
	_, err = bob.JoinRoomByID(ctx, created.RoomID)
	require.NoError(t, err)
	return alice, bob, created.RoomID
}

func TestMessagesPaginateBackToTheStart(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice, bob, room := twoUserRoom(t, s)
	var want []string
	for i := range 25 {
		who := alice
		if i%2 == 1 {
			who = bob
		}
		text := fmt.Sprintf("message %02d", i)
		sendText(t, who, room, text)
		want = append(want, text)
	}
	total := eventCount(t, s, room)

	back, pages := paginate(t, bob, room, mautrix.DirectionBackward, "", 7, nil)
	require.Len(t, back, total, "every event once: no gaps")
	require.Equal(t, (total+6)/7, pages)
	require.Len(t, slices.Compact(slices.Sorted(slices.Values(ids(back)))), total, "no duplicates")
	require.Equal(t, event.StateCreate, back[len(back)-1].Type, "history ends with the create event")
	got := bodies(t, back)
	slices.Reverse(got)
	require.Equal(t, want, got, "newest first")
	for i := 1; i < len(back); i++ {
		require.GreaterOrEqual(t, back[i-1].Timestamp, back[i].Timestamp)
	}

	fwd, _ := paginate(t, alice, room, mautrix.DirectionForward, "", 9, nil)
	require.Equal(t, event.StateCreate, fwd[0].Type, "forwards starts with the create event")
	slices.Reverse(fwd)
	require.Equal(t, ids(back), ids(fwd), "forwards is backwards reversed")

	// From a token in the middle, both ways, and with a to token.
	ctx := context.Background()
	first, err := bob.Messages(ctx, room, "", "", mautrix.DirectionBackward, nil, 5)
	require.NoError(t, err)
	require.Equal(t, []string{"message 24", "message 23", "message 22", "message 21", "message 20"}, bodies(t, first.Chunk))
	next, err := bob.Messages(ctx, room, first.End, "", mautrix.DirectionForward, nil, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"message 20", "message 21", "message 22", "message 23", "message 24"}, bodies(t, next.Chunk),
		"forwards from a backward page's end gives that page's events again, oldest first")
	require.Empty(t, next.End, "nothing after the newest event")
	second, err := bob.Messages(ctx, room, first.End, "", mautrix.DirectionBackward, nil, 5)
	require.NoError(t, err)
	third, err := bob.Messages(ctx, room, "", second.End, mautrix.DirectionBackward, nil, 100)
	require.NoError(t, err)
	require.Equal(t, append(bodies(t, first.Chunk), bodies(t, second.Chunk)...), bodies(t, third.Chunk), "to stops where asked")
	require.Empty(t, third.End)

	// A new event shows up at the end.
	sendText(t, alice, room, "latest")
	latest, err := bob.Messages(ctx, room, "", "", mautrix.DirectionBackward, nil, 1)
	require.NoError(t, err)
	require.Equal(t, []string{"latest"}, bodies(t, latest.Chunk))
	require.Nil(t, latest.State, "no state without lazy loading")
}

func TestMessagesFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	room := created.RoomID
	for _, c := range []*mautrix.Client{bob, carol} {
		_, err := c.JoinRoomByID(ctx, room)
		require.NoError(t, err)
	}
	sendText(t, alice, room, "from alice")
	_, err = bob.SendMessageEvent(ctx, room, event.EventMessage, map[string]any{"msgtype": "m.image", "body": "cat.png", "url": "mxc://hearth.test/cat"})
	require.NoError(t, err)
	_, err = carol.SendMessageEvent(ctx, room, event.EventMessage, map[string]any{"msgtype": "m.notice", "body": "from carol"})
	require.NoError(t, err)
	_, err = alice.SendStateEvent(ctx, room, event.StateTopic, "", map[string]any{"topic": "filters"})
	require.NoError(t, err)
	_, err = bob.SendMessageEvent(ctx, room, event.Type{Type: "org.example.ping", Class: event.MessageEventType}, map[string]any{"n": 1})
	require.NoError(t, err)
	sendText(t, carol, room, "carol again")

	read := func(f *mautrix.FilterPart, limit int) *mautrix.RespMessages {
		t.Helper()
		resp, err := alice.Messages(ctx, room, "", "", mautrix.DirectionBackward, f, limit)
		require.NoError(t, err)
		return resp
	}
	all := read(nil, 100)
	require.Contains(t, typesOf(all.Chunk), "org.example.ping")

	t.Run("types with a wildcard", func(t *testing.T) {
		got := read(&mautrix.FilterPart{Types: []event.Type{{Type: "m.room.*"}}}, 100)
		for _, ev := range got.Chunk {
			require.True(t, strings.HasPrefix(ev.Type.Type, "m.room."), ev.Type.Type)
		}
		require.Contains(t, typesOf(got.Chunk), "m.room.topic")
		require.Contains(t, typesOf(got.Chunk), "m.room.message")
		require.Len(t, got.Chunk, len(all.Chunk)-1, "only the ping is left out")
	})
	t.Run("not_types", func(t *testing.T) {
		got := read(&mautrix.FilterPart{NotTypes: []event.Type{{Type: "m.room.member"}, {Type: "org.*"}}}, 100)
		require.NotContains(t, typesOf(got.Chunk), "m.room.member")
		require.NotContains(t, typesOf(got.Chunk), "org.example.ping")
		require.Contains(t, typesOf(got.Chunk), "m.room.create")
	})
	t.Run("senders", func(t *testing.T) {
		got := read(&mautrix.FilterPart{Senders: []id.UserID{bob.UserID}, Types: []event.Type{event.EventMessage}}, 100)
		require.Equal(t, []string{"cat.png"}, bodies(t, got.Chunk))
		got = read(&mautrix.FilterPart{NotSenders: []id.UserID{alice.UserID, bob.UserID}, Types: []event.Type{event.EventMessage}}, 100)
		require.Equal(t, []string{"carol again", "from carol"}, bodies(t, got.Chunk))
	})
	t.Run("contains_url", func(t *testing.T) {
		yes, no := true, false
		got := read(&mautrix.FilterPart{ContainsURL: &yes}, 100)
		require.Equal(t, []string{"cat.png"}, bodies(t, got.Chunk))
		require.Len(t, got.Chunk, 1)
		got = read(&mautrix.FilterPart{ContainsURL: &no, Types: []event.Type{event.EventMessage}}, 100)
		require.Equal(t, []string{"carol again", "from carol", "from alice"}, bodies(t, got.Chunk))
	})
	t.Run("the filter's limit", func(t *testing.T) {
		got := read(&mautrix.FilterPart{Limit: 2}, 0)
		require.Len(t, got.Chunk, 2)
		require.NotEmpty(t, got.End)
	})
	t.Run("lazy-loaded members are the chunk's senders", func(t *testing.T) {
		f := &mautrix.FilterPart{Types: []event.Type{event.EventMessage}, LazyLoadMembers: true}
		got := read(f, 2) // carol's two messages
		require.Equal(t, []string{"carol again", "from carol"}, bodies(t, got.Chunk))
		require.Equal(t, []string{string(carol.UserID)}, memberKeys(t, got.State))
		got = read(f, 4) // and bob's and alice's
		require.ElementsMatch(t, []string{string(alice.UserID), string(bob.UserID), string(carol.UserID)}, memberKeys(t, got.State))
		f.IncludeRedundantMembers = true
		got = read(f, 3)
		require.ElementsMatch(t, []string{string(bob.UserID), string(carol.UserID)}, memberKeys(t, got.State))
	})
	t.Run("a filter over other rooms reads nothing", func(t *testing.T) {
		got := read(&mautrix.FilterPart{Rooms: []id.RoomID{"!elsewhere:hearth.test"}}, 100)
		require.Empty(t, got.Chunk)
		require.Empty(t, got.End)
	})
	t.Run("a filtered page still chains to the start", func(t *testing.T) {
		got, _ := paginate(t, alice, room, mautrix.DirectionBackward, "", 1, &mautrix.FilterPart{Types: []event.Type{event.EventMessage}})
		require.Equal(t, []string{"carol again", "from carol", "cat.png", "from alice"}, bodies(t, got))
		require.Len(t, got, 4)
	})
}

func typesOf(evs []*event.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Type.Type
	}
	return out
}

// memberKeys checks that evs are member events and returns their users.
func memberKeys(t *testing.T, evs []*event.Event) []string {
	t.Helper()
	var out []string
	for _, ev := range evs {
		require.Equal(t, event.StateMember, ev.Type)
		require.NotNil(t, ev.StateKey)
		out = append(out, *ev.StateKey)
	}
	return out
}

func TestMessagesHistoryVisibility(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")
	dave := s.Register(t, "dave", "diamonds12")

	newRoom := func(visibility string) id.RoomID {
		created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat", InitialState: []*event.Event{{
			Type: event.StateHistoryVisibility, StateKey: new(string), Content: event.Content{Raw: map[string]any{"history_visibility": visibility}},
		}}})
		require.NoError(t, err)
		return created.RoomID
	}
	read := func(cli *mautrix.Client, room id.RoomID, dir mautrix.Direction) []string {
		t.Helper()
		all, _ := paginate(t, cli, room, dir, "", 3, nil)
		return bodies(t, all)
	}

	t.Run("joined", func(t *testing.T) {
		room := newRoom("joined")
		sendText(t, alice, room, "before bob")
		_, err := bob.JoinRoomByID(ctx, room)
		require.NoError(t, err)
		sendText(t, alice, room, "with bob")
		require.Equal(t, []string{"with bob"}, read(bob, room, mautrix.DirectionBackward), "bob sees nothing from before he joined")
		require.Equal(t, []string{"before bob", "with bob"}, read(alice, room, mautrix.DirectionForward))
		all, _ := paginate(t, bob, room, mautrix.DirectionBackward, "", 3, nil)
		require.Equal(t, event.StateMember, all[1].Type, "bob sees his own join")
		require.Equal(t, bob.UserID.String(), *all[1].StateKey)
		for _, ev := range all[2:] {
			require.True(t, ev.StateKey != nil, "of what came before, only the room's creation, before its history visibility was set (default shared): %s", ev.Type)
		}

		_, err = bob.LeaveRoom(ctx, room)
		require.NoError(t, err)
		sendText(t, alice, room, "after bob left")
		require.Equal(t, []string{"with bob"}, read(bob, room, mautrix.DirectionBackward), "nothing after his leave")
		require.Equal(t, []string{"with bob"}, read(bob, room, mautrix.DirectionForward), "not forwards either")
		back, _ := paginate(t, bob, room, mautrix.DirectionBackward, "", 3, nil)
		require.Equal(t, event.StateMember, back[0].Type, "his leave is the last event he sees")
		require.Equal(t, "leave", back[0].Content.Raw["membership"])

		// A token from after his leave does not reach past it either.
		aliceNow, err := alice.Messages(ctx, room, "", "", mautrix.DirectionBackward, nil, 1)
		require.NoError(t, err)
		fromLater, err := bob.Messages(ctx, room, aliceNow.Start, "", mautrix.DirectionBackward, nil, 10)
		require.NoError(t, err)
		require.NotContains(t, bodies(t, fromLater.Chunk), "after bob left")

		// Neither does reading one event, nor its context.
		last := sendText(t, alice, room, "later still")
		_, err = bob.GetEvent(ctx, room, last)
		require.ErrorIs(t, err, mautrix.MNotFound)
		_, err = bob.Context(ctx, room, last, nil, 4)
		require.ErrorIs(t, err, mautrix.MNotFound)
	})

	t.Run("shared", func(t *testing.T) {
		room := newRoom("shared")
		sendText(t, alice, room, "before dave")
		_, err := dave.JoinRoomByID(ctx, room)
		require.NoError(t, err)
		sendText(t, alice, room, "with dave")
		require.Equal(t, []string{"with dave", "before dave"}, read(dave, room, mautrix.DirectionBackward), "shared history is for members")
		_, err = dave.LeaveRoom(ctx, room)
		require.NoError(t, err)
		sendText(t, alice, room, "after dave left")
		require.Equal(t, []string{"with dave", "before dave"}, read(dave, room, mautrix.DirectionBackward), "and stays theirs up to their leave")
		_, err = carol.Messages(ctx, room, "", "", mautrix.DirectionBackward, nil, 10)
		require.ErrorIs(t, err, mautrix.MForbidden, "never in the room")
	})

	t.Run("world_readable", func(t *testing.T) {
		room := newRoom("world_readable")
		sendText(t, alice, room, "for the world")
		require.Equal(t, []string{"for the world"}, read(carol, room, mautrix.DirectionBackward), "readable without joining")
	})

	t.Run("never in the room", func(t *testing.T) {
		room := newRoom("shared")
		msg := sendText(t, alice, room, "private")
		path := func(rest string) string { return roomPath(room, rest) }
		for _, p := range []string{
			path("/messages?dir=b"),
			path("/context/" + url.PathEscape(string(msg))),
			"/_matrix/client/v1/rooms/" + url.PathEscape(string(room)) + "/relations/" + url.PathEscape(string(msg)),
			"/_matrix/client/v1/rooms/" + url.PathEscape(string(room)) + "/threads",
			"/_matrix/client/v1/rooms/" + url.PathEscape(string(room)) + "/timestamp_to_event?dir=b&ts=" + fmt.Sprint(time.Now().UnixMilli()+60_000),
		} {
			r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: p, Token: carol.AccessToken})
			require.Equal(t, http.StatusForbidden, r.Status, "%s: %s", p, r.Raw)
			require.Equal(t, "M_FORBIDDEN", r.Errcode())
		}
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: path("/messages?dir=b"), Token: carol.AccessToken})
		require.NotContains(t, string(r.Raw), "private")
		_, err := carol.GetEvent(ctx, room, msg)
		require.ErrorIs(t, err, mautrix.MNotFound)
	})
}

func TestContext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoUserRoom(t, s)
	var sent []id.EventID
	for i := range 11 {
		who := alice
		if i%2 == 1 {
			who = bob
		}
		sent = append(sent, sendText(t, who, room, fmt.Sprintf("m%d", i)))
	}

	c, err := bob.Context(ctx, room, sent[5], nil, 4)
	require.NoError(t, err)
	require.Equal(t, "m5", body(t, c.Event))
	require.Equal(t, []string{"m4", "m3"}, bodies(t, c.EventsBefore), "before: newest first")
	require.Equal(t, []string{"m6", "m7"}, bodies(t, c.EventsAfter), "after: oldest first")
	require.Contains(t, typesOf(c.State), "m.room.create", "the room's state")
	require.Contains(t, typesOf(c.State), "m.room.power_levels")

	// The tokens continue from the edges.
	back, err := bob.Messages(ctx, room, c.Start, "", mautrix.DirectionBackward, nil, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"m2", "m1"}, bodies(t, back.Chunk))
	fwd, err := bob.Messages(ctx, room, c.End, "", mautrix.DirectionForward, nil, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"m8", "m9"}, bodies(t, fwd.Chunk))

	// An odd limit gives the extra event to after; limit 0 gives the event only.
	c, err = bob.Context(ctx, room, sent[5], nil, 3)
	require.NoError(t, err)
	require.Equal(t, []string{"m4"}, bodies(t, c.EventsBefore))
	require.Equal(t, []string{"m6", "m7"}, bodies(t, c.EventsAfter))
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Token: bob.AccessToken,
		Path: roomPath(room, "/context/"+url.PathEscape(string(sent[5]))+"?limit=0")})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Empty(t, r.Body["events_before"])
	require.Empty(t, r.Body["events_after"])
	require.Equal(t, string(sent[5]), r.Body["event"].(map[string]any)["event_id"])

	// At the end of the room.
	c, err = bob.Context(ctx, room, sent[10], nil, 10)
	require.NoError(t, err)
	require.Empty(t, c.EventsAfter)
	require.Len(t, c.EventsBefore, 5)

	// A filter applies around the event and to the state, not to the event.
	f := &mautrix.FilterPart{Senders: []id.UserID{alice.UserID}, LazyLoadMembers: true}
	c, err = bob.Context(ctx, room, sent[5], f, 4)
	require.NoError(t, err)
	require.Equal(t, "m5", body(t, c.Event), "bob's event itself")
	require.Equal(t, []string{"m4", "m2"}, bodies(t, c.EventsBefore))
	require.Equal(t, []string{"m6", "m8"}, bodies(t, c.EventsAfter))
	require.ElementsMatch(t, []string{string(alice.UserID), string(bob.UserID)}, memberKeys(t, c.State),
		"members of the senders, the event's included")
	c, err = bob.Context(ctx, room, sent[5], &mautrix.FilterPart{Types: []event.Type{event.StateCreate, event.EventMessage}}, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"m.room.create"}, typesOf(c.State), "the filter applies to the state")

	// Unknown events, and events of other rooms, are not found.
	_, err = bob.Context(ctx, room, "$nope", nil, 4)
	require.ErrorIs(t, err, mautrix.MNotFound)
	other, err := bob.CreateRoom(ctx, &mautrix.ReqCreateRoom{})
	require.NoError(t, err)
	_, err = bob.Context(ctx, other.RoomID, sent[5], nil, 4)
	require.ErrorIs(t, err, mautrix.MNotFound)
}

func TestTimestampToEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoUserRoom(t, s)
	start := s.Clock.Now()
	s.Clock.Advance(time.Minute)
	first := sendText(t, alice, room, "first")
	s.Clock.Advance(10 * time.Second)
	second := sendText(t, bob, room, "second")
	s.Clock.Advance(10 * time.Second)
	third := sendText(t, alice, room, "third")
	t1 := start.Add(time.Minute)

	for _, tc := range []struct {
		name string
		ts   time.Time
		dir  mautrix.Direction
		want id.EventID
	}{
		{"forwards from between two events", t1.Add(5 * time.Second), mautrix.DirectionForward, second},
		{"backwards from between two events", t1.Add(5 * time.Second), mautrix.DirectionBackward, first},
		{"forwards from an event's own time", t1.Add(10 * time.Second), mautrix.DirectionForward, second},
		{"backwards from an event's own time", t1.Add(10 * time.Second), mautrix.DirectionBackward, second},
		{"backwards from after the end", t1.Add(time.Hour), mautrix.DirectionBackward, third},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := bob.TimestampToEvent(ctx, room, tc.ts, tc.dir)
			require.NoError(t, err)
			require.Equal(t, tc.want, resp.EventID)
			ev, err := bob.GetEvent(ctx, room, tc.want)
			require.NoError(t, err)
			require.Equal(t, ev.Timestamp, resp.Timestamp.UnixMilli())
		})
	}
	_, err := bob.TimestampToEvent(ctx, room, t1.Add(time.Hour), mautrix.DirectionForward)
	require.ErrorIs(t, err, mautrix.MNotFound, "nothing after the end")
	_, err = bob.TimestampToEvent(ctx, room, start.Add(-time.Hour), mautrix.DirectionBackward)
	require.ErrorIs(t, err, mautrix.MNotFound, "nothing before the room")
}

func TestTimelineBadInput(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice, _, room := twoUserRoom(t, s)
	msg := sendText(t, alice, room, "hello")
	v1 := "/_matrix/client/v1/rooms/" + url.PathEscape(string(room))
	esc := url.QueryEscape
	for _, tc := range []struct {
		name, path string
		status     int
		errcode    string
	}{
		{"from not a token", roomPath(room, "/messages?dir=b&from=x12"), http.StatusBadRequest, "M_INVALID_PARAM"},
		{"negative from", roomPath(room, "/messages?dir=b&from=s-1"), http.StatusBadRequest, "M_INVALID_PARAM"},
		{"to not a token", roomPath(room, "/messages?dir=f&to=t_1_2"), http.StatusBadRequest, "M_INVALID_PARAM"},
		{"no dir", roomPath(room, "/messages"), http.StatusBadRequest, "M_MISSING_PARAM"},
		{"unknown dir", roomPath(room, "/messages?dir=x"), http.StatusBadRequest, "M_INVALID_PARAM"},
		{"negative limit", roomPath(room, "/messages?dir=b&limit=-1"), http.StatusBadRequest, "M_INVALID_PARAM"},
		{"filter not JSON", roomPath(room, "/messages?dir=b&filter="+esc(`{"types":`)), http.StatusBadRequest, "M_BAD_JSON"},
		{"filter with a list of the wrong type", roomPath(room, "/messages?dir=b&filter="+esc(`{"types":"m.room.message"}`)), http.StatusBadRequest, "M_BAD_JSON"},
		{"filter limit zero", roomPath(room, "/messages?dir=b&filter="+esc(`{"limit":0}`)), http.StatusBadRequest, "M_INVALID_PARAM"},
		{"filter sender not a user ID", roomPath(room, "/messages?dir=b&filter="+esc(`{"senders":["bob"]}`)), http.StatusBadRequest, "M_INVALID_PARAM"},
		{"context filter not JSON", roomPath(room, "/context/"+url.PathEscape(string(msg))+"?filter=nope"), http.StatusBadRequest, "M_BAD_JSON"},
		{"context of an unknown event", roomPath(room, "/context/$nope"), http.StatusNotFound, "M_NOT_FOUND"},
		{"relations of an unknown event", v1 + "/relations/$nope", http.StatusNotFound, "M_NOT_FOUND"},
		{"relations with a bad token", v1 + "/relations/" + url.PathEscape(string(msg)) + "?from=nope", http.StatusBadRequest, "M_INVALID_PARAM"},
		{"threads with a bad token", v1 + "/threads?from=nope", http.StatusBadRequest, "M_INVALID_PARAM"},
		{"threads with an unknown include", v1 + "/threads?include=some", http.StatusBadRequest, "M_INVALID_PARAM"},
		{"timestamp without ts", v1 + "/timestamp_to_event?dir=f", http.StatusBadRequest, "M_MISSING_PARAM"},
		{"messages of an unknown room", roomPath("!nowhere:hearth.test", "/messages?dir=b"), http.StatusForbidden, "M_FORBIDDEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: tc.path, Token: alice.AccessToken})
			require.Equal(t, tc.status, r.Status, "%s", r.Raw)
			require.Equal(t, tc.errcode, r.Errcode())
		})
	}
}
