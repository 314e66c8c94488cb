package slidingapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// The sliding sync paths.
const (
	unstablePath = "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync"
	msc3575Path  = "/_matrix/client/unstable/org.matrix.msc3575/sync"
	v4Path       = "/_matrix/client/v4/sync"
)

// elementXState is the required_state Element X's room list asks for
// (matrix-rust-sdk's RoomListService), in the unstable pair form.
var elementXState = [][2]string{
	{"m.room.encryption", ""}, {"m.room.member", "$LAZY"}, {"m.room.member", "$ME"},
	{"m.room.name", ""}, {"m.room.canonical_alias", ""}, {"m.room.power_levels", ""},
	{"m.room.join_rules", ""}, {"m.room.topic", ""}, {"m.room.avatar", ""},
	{"m.room.create", ""}, {"m.room.history_visibility", ""}, {"m.room.pinned_events", ""},
	{"m.room.tombstone", ""}, {"m.call.member", "*"}, {"org.matrix.msc3401.call.member", "*"},
}

// conn is one client's sliding sync connection over the unstable path, in
// the query-parameter form Element X uses.
type conn struct {
	t    testing.TB
	s    *servertest.Server
	cli  *mautrix.Client
	path string
	pos  string
}

func newConn(t testing.TB, s *servertest.Server, cli *mautrix.Client, path string) *conn {
	return &conn{t: t, s: s, cli: cli, path: path}
}

// do sends one request from the connection's pos and returns the raw
// answer without following it.
func (c *conn) do(body map[string]any, timeout time.Duration) servertest.Response {
	c.t.Helper()
	q := url.Values{"timeout": {fmt.Sprint(timeout.Milliseconds())}}
	if c.pos != "" {
		q.Set("pos", c.pos)
	}
	path := c.path + "?" + q.Encode()
	if c.path == v4Path {
		path = c.path
		body["timeout"] = timeout.Milliseconds()
		if c.pos != "" {
			body["pos"] = c.pos
		}
	}
	return c.s.Do(c.t, servertest.Request{Method: http.MethodPost, Path: path, Token: c.cli.AccessToken, Body: body})
}

// sync sends one request and follows its pos.
func (c *conn) sync(body map[string]any, timeout time.Duration) gjson.Result {
	c.t.Helper()
	resp := c.do(body, timeout)
	require.Equal(c.t, http.StatusOK, resp.Status, "%s", resp.Raw)
	g := gjson.ParseBytes(resp.Raw)
	require.NotEmpty(c.t, g.Get("pos").Str, "every response has a pos")
	c.pos = g.Get("pos").Str
	return g
}

// roomsOf are the response's rooms by ID.
func roomsOf(g gjson.Result) map[id.RoomID]gjson.Result {
	out := map[id.RoomID]gjson.Result{}
	for k, v := range g.Get("rooms").Map() {
		out[id.RoomID(k)] = v
	}
	return out
}

// bodies are the message bodies of a room result's timeline.
func bodies(room gjson.Result) []string {
	var out []string
	for _, e := range room.Get("timeline").Array() {
		if e.Get("type").Str == "m.room.message" {
			out = append(out, e.Get("content.body").Str)
		}
	}
	return out
}

// stateKeys are "type|state_key" of a room result's required_state.
func stateKeys(room gjson.Result) []string {
	var out []string
	for _, e := range room.Get("required_state").Array() {
		out = append(out, e.Get("type").Str+"|"+e.Get("state_key").Str)
	}
	return out
}

func roomList(ranges [][2]int, limit int) map[string]any {
	return map[string]any{"ranges": ranges, "timeline_limit": limit, "required_state": elementXState}
}

func listRequest(ranges [][2]int) map[string]any {
	return map[string]any{
		"conn_id": "room-list",
		"lists":   map[string]any{"all_rooms": roomList(ranges, 1)},
		"extensions": map[string]any{
			"account_data": map[string]any{"enabled": true},
			"receipts":     map[string]any{"enabled": true, "rooms": []string{"*"}},
			"typing":       map[string]any{"enabled": true, "rooms": []string{"*"}},
		},
	}
}

// TestSlidingSyncRoomList replays Element X's room list: a first window of
// 20 rooms with one event each, then the whole list, then a subscription
// to a room it opens.
func TestSlidingSyncRoomList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")

	const n = 25
	var made []id.RoomID // oldest first
	for i := range n {
		r, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Name: fmt.Sprintf("room %d", i), Preset: "private_chat"})
		require.NoError(t, err)
		_, err = alice.SendText(ctx, r.RoomID, fmt.Sprintf("hello %d", i))
		require.NoError(t, err)
		made = append(made, r.RoomID)
	}
	invited, err := bob.CreateRoom(ctx, &mautrix.ReqCreateRoom{Name: "bob's", Preset: "private_chat", Invite: []id.UserID{alice.UserID}})
	require.NoError(t, err)
	// A state event after the last message does not bump its room.
	_, err = alice.SendStateEvent(ctx, made[0], event.StateTopic, "", map[string]any{"topic": "quiet"})
	require.NoError(t, err)

	c := newConn(t, s, alice, unstablePath)
	first := c.sync(listRequest([][2]int{{0, 19}}), 0)
	require.Equal(t, int64(n+1), first.Get("lists.all_rooms.count").Int())
	got := roomsOf(first)
	require.Len(t, got, 20)

	// Most recently bumped first: the invite, then rooms 24 down to 6.
	inv := got[invited.RoomID]
	require.True(t, inv.Exists(), "the invite is the newest room")
	require.Equal(t, "invite", inv.Get("membership").Str)
	require.NotEmpty(t, inv.Get("invite_state").Array(), "invites come as stripped state")
	require.False(t, inv.Get("timeline").Exists())
	require.Equal(t, "bob's", inv.Get("name").Str)
	for i := 6; i < n; i++ {
		r := got[made[i]]
		require.True(t, r.Exists(), "room %d is in the first window", i)
		require.True(t, r.Get("initial").Bool())
		require.Equal(t, fmt.Sprintf("room %d", i), r.Get("name").Str)
		require.Equal(t, []string{fmt.Sprintf("hello %d", i)}, bodies(r), "timeline_limit 1: the latest event")
		require.True(t, r.Get("limited").Bool())
		keys := stateKeys(r)
		require.Contains(t, keys, "m.room.name|")
		require.Contains(t, keys, "m.room.create|")
		require.Contains(t, keys, "m.room.member|"+string(alice.UserID), "$ME")
		require.NotContains(t, keys, "m.room.topic|", "no topic was set")
		require.Equal(t, int64(1), r.Get("joined_count").Int())
		require.Positive(t, r.Get("bump_stamp").Int())
		require.Greater(t, inv.Get("bump_stamp").Int(), r.Get("bump_stamp").Int())
	}
	for i := 0; i < 6; i++ {
		require.False(t, got[made[i]].Exists(), "room %d is outside the window", i)
	}

	// The list grows to all rooms: only those not sent yet come.
	req := listRequest([][2]int{{0, 99}})
	second := c.sync(req, 0)
	require.Equal(t, int64(n+1), second.Get("lists.all_rooms.count").Int())
	got = roomsOf(second)
	require.Len(t, got, 6)
	for i := 0; i < 6; i++ {
		require.True(t, got[made[i]].Get("initial").Bool(), "room %d", i)
	}
	require.Contains(t, stateKeys(got[made[0]]), "m.room.topic|")

	// Nothing new: an empty answer once the timeout passes.
	idle := c.sync(req, 50*time.Millisecond)
	require.Empty(t, roomsOf(idle))

	// Opening room 0: a subscription with a longer timeline expands it.
	for i := range 30 {
		_, err := alice.SendText(ctx, made[0], fmt.Sprintf("more %d", i))
		require.NoError(t, err)
	}
	req["room_subscriptions"] = map[string]any{string(made[0]): map[string]any{"timeline_limit": 20, "required_state": elementXState}}
	third := c.sync(req, 0)
	r0 := roomsOf(third)[made[0]]
	require.True(t, r0.Get("unstable_expanded_timeline").Bool())
	require.Len(t, r0.Get("timeline").Array(), 20)
	require.Equal(t, "more 29", bodies(r0)[19])
	require.True(t, r0.Get("limited").Bool())
	require.NotEmpty(t, r0.Get("prev_batch").Str)

	// prev_batch paginates the rest with /messages.
	msgs, err := alice.Messages(ctx, made[0], r0.Get("prev_batch").Str, "", mautrix.DirectionBackward, nil, 5)
	require.NoError(t, err)
	require.NotEmpty(t, msgs.Chunk)
	_ = msgs.Chunk[0].Content.ParseRaw(msgs.Chunk[0].Type)
	require.Equal(t, "more 9", msgs.Chunk[0].Content.AsMessage().Body, "the event before the window")
}

// TestSlidingSyncIncremental proves news arrives once and in order:
// messages, name changes, invites, kicks, typing and receipts.
func TestSlidingSyncIncremental(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	r, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Name: "tea", Preset: "public_chat"})
	require.NoError(t, err)
	room := r.RoomID
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)

	c := newConn(t, s, bob, unstablePath)
	req := listRequest([][2]int{{0, 9}})
	first := c.sync(req, 0)
	require.Len(t, roomsOf(first), 1)

	for _, b := range []string{"one", "two", "three"} {
		_, err := alice.SendText(ctx, room, b)
		require.NoError(t, err)
	}
	second := c.sync(req, 0)
	r2 := roomsOf(second)[room]
	require.False(t, r2.Get("initial").Bool())
	require.Equal(t, []string{"three"}, bodies(r2), "timeline_limit 1")
	require.True(t, r2.Get("limited").Bool())
	require.Equal(t, int64(1), r2.Get("num_live").Int(), "the one event shown is live")
	require.Empty(t, roomsOf(c.sync(req, 0)), "each message once")

	// A rename, then a message that pushes it out of the timeline: the
	// new name, and its state event in required_state.
	_, err = alice.SendStateEvent(ctx, room, event.StateRoomName, "", map[string]any{"name": "coffee"})
	require.NoError(t, err)
	_, err = alice.SendText(ctx, room, "renamed")
	require.NoError(t, err)
	r3 := roomsOf(c.sync(req, 0))[room]
	require.Equal(t, "coffee", r3.Get("name").Str)
	require.Equal(t, []string{"renamed"}, bodies(r3))
	require.Equal(t, []string{"m.room.name|"}, stateKeys(r3), "only what changed")

	// Typing and a receipt, through the extensions.
	_, err = alice.UserTyping(ctx, room, true, 10*time.Second)
	require.NoError(t, err)
	msg, err := alice.SendText(ctx, room, "four")
	require.NoError(t, err)
	require.NoError(t, alice.SendReceipt(ctx, room, msg.EventID, event.ReceiptTypeRead, nil))
	news := c.sync(req, 0)
	require.Equal(t, []string{"four"}, bodies(roomsOf(news)[room]))
	typing := news.Get("extensions.typing.rooms").Map()[string(room)]
	require.Contains(t, typing.Get("content.user_ids").String(), string(alice.UserID))
	receipt := news.Get("extensions.receipts.rooms").Map()[string(room)]
	require.True(t, receipt.Get("content").Map()[string(msg.EventID)].Exists(), "receipt: %s", receipt.Raw)

	// Account data, through its extension, once.
	require.NoError(t, bob.SetAccountData(ctx, "org.example.settings", map[string]any{"theme": "dark"}))
	settings := func(g gjson.Result) []string {
		var out []string
		for _, e := range g.Get("extensions.account_data.global").Array() {
			if e.Get("type").Str == "org.example.settings" {
				out = append(out, e.Get("content.theme").Str)
			}
		}
		return out
	}
	require.Equal(t, []string{"dark"}, settings(c.sync(req, 0)))
	require.Empty(t, settings(c.sync(req, 0)))

	// An invite to another room, then a kick from this one.
	other, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Name: "other", Preset: "private_chat", Invite: []id.UserID{bob.UserID}})
	require.NoError(t, err)
	invite := roomsOf(c.sync(req, 0))[other.RoomID]
	require.Equal(t, "invite", invite.Get("membership").Str)
	require.NotEmpty(t, invite.Get("invite_state").Array())

	_, err = alice.KickUser(ctx, room, &mautrix.ReqKickUser{UserID: bob.UserID, Reason: "closing"})
	require.NoError(t, err)
	_, err = alice.SendText(ctx, room, "after the kick")
	require.NoError(t, err)
	kicked := c.sync(req, 0)
	rk := roomsOf(kicked)[room]
	require.Equal(t, "leave", rk.Get("membership").Str)
	require.NotContains(t, bodies(rk), "after the kick", "nothing after the kick")
	last := rk.Get("timeline").Array()
	require.Equal(t, "m.room.member", last[len(last)-1].Get("type").Str)
	require.Empty(t, roomsOf(c.sync(req, 0)), "the kick once")

	// Joining the invited room sends it afresh, no longer stripped.
	_, err = bob.JoinRoomByID(ctx, other.RoomID)
	require.NoError(t, err)
	joined := roomsOf(c.sync(req, 0))[other.RoomID]
	require.True(t, joined.Get("initial").Bool())
	require.Equal(t, "join", joined.Get("membership").Str)
	require.False(t, joined.Get("invite_state").Exists())
}

// TestSlidingSyncLongPoll: a waiting request returns when a message
// arrives in one of the user's rooms, not before.
func TestSlidingSyncLongPoll(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	r, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	require.NoError(t, err)
	c := newConn(t, s, alice, unstablePath)
	req := listRequest([][2]int{{0, 9}})
	c.sync(req, 0)

	done := make(chan gjson.Result, 1)
	go func() { done <- c.sync(req, 30*time.Second) }()
	select {
	case <-done:
		t.Fatal("returned with nothing new")
	case <-time.After(200 * time.Millisecond):
	}
	_, err = alice.SendText(ctx, r.RoomID, "wake")
	require.NoError(t, err)
	select {
	case g := <-done:
		require.Equal(t, []string{"wake"}, bodies(roomsOf(g)[r.RoomID]))
	case <-time.After(10 * time.Second):
		t.Fatal("the message did not wake the request")
	}
}

// TestSlidingSyncPos: a pos works only on its own connection, expires with
// it, and may be sent again when a response was lost.
func TestSlidingSyncPos(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	r, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	require.NoError(t, err)
	c := newConn(t, s, alice, unstablePath)
	req := listRequest([][2]int{{0, 9}})
	c.sync(req, 0)
	confirmed := c.pos

	// A lost response: the client sends its old pos again and gets the
	// same news.
	_, err = alice.SendText(ctx, r.RoomID, "once")
	require.NoError(t, err)
	require.Equal(t, []string{"once"}, bodies(roomsOf(c.sync(req, 0))[r.RoomID]))
	c.pos = confirmed
	require.Equal(t, []string{"once"}, bodies(roomsOf(c.sync(req, 0))[r.RoomID]), "resent after a lost response")

	unknown := func(who *mautrix.Client, pos string, body map[string]any) {
		t.Helper()
		other := newConn(t, s, who, unstablePath)
		other.pos = pos
		resp := other.do(body, 0)
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Raw)
		require.Equal(t, "M_UNKNOWN_POS", resp.Errcode())
	}
	unknown(alice, "s999999_999999", req)
	unknown(alice, "garbage", req)
	unknown(alice, "s1_0", req)
	unknown(bob, c.pos, req)                                       // another user's
	unknown(alice, c.pos, map[string]any{"conn_id": "encryption"}) // another connection's

	_, err = s.App.Pool.Exec(ctx, "UPDATE sliding_conns SET used_at = now() - interval '30 days'")
	require.NoError(t, err)
	unknown(alice, c.pos, req)
	// The client starts again, as Element X does on M_UNKNOWN_POS.
	c.pos = ""
	again := roomsOf(c.sync(req, 0))[r.RoomID]
	require.True(t, again.Get("initial").Bool())
	require.Equal(t, []string{"once"}, bodies(again))
}

// TestSlidingSyncAcrossProcesses: a connection opened on one hearth
// process goes on on another sharing the database (as after a restart, or
// behind a load balancer), and a request waiting on one wakes for a message
// sent through the other.
func TestSlidingSyncAcrossProcesses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := servertest.Config(t)
	a := servertest.Start(t, cfg)
	b := servertest.Start(t, cfg)
	aliceA := a.Register(t, "alice", "wonderland1")
	aliceB := b.Client(t, aliceA.UserID, aliceA.AccessToken)
	r, err := aliceA.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	require.NoError(t, err)

	onA := newConn(t, a, aliceA, unstablePath)
	req := listRequest([][2]int{{0, 9}})
	require.Len(t, roomsOf(onA.sync(req, 0)), 1)
	onB := newConn(t, b, aliceB, unstablePath)
	onB.pos = onA.pos

	done := make(chan gjson.Result, 1)
	go func() { done <- onB.sync(req, 30*time.Second) }()
	time.Sleep(200 * time.Millisecond)
	_, err = aliceA.SendText(ctx, r.RoomID, "from a")
	require.NoError(t, err)
	select {
	case g := <-done:
		got := roomsOf(g)[r.RoomID]
		require.False(t, got.Get("initial").Bool(), "B goes on with A's connection")
		require.Equal(t, []string{"from a"}, bodies(got))
	case <-time.After(10 * time.Second):
		t.Fatal("the message sent through A did not wake B")
	}
}

// TestSlidingSyncBadInput: requests beyond the limits, or malformed, are
// refused with the right errors and no pos is spent.
func TestSlidingSyncBadInput(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	lists := map[string]any{}
	for i := range 101 {
		lists[fmt.Sprint("l", i)] = roomList([][2]int{{0, 1}}, 1)
	}
	for name, tc := range map[string]struct {
		body    any
		status  int
		errcode string
	}{
		"too many lists":     {map[string]any{"lists": lists}, 400, "M_INVALID_PARAM"},
		"backwards range":    {map[string]any{"lists": map[string]any{"a": roomList([][2]int{{5, 1}}, 1)}}, 400, "M_INVALID_PARAM"},
		"negative range":     {map[string]any{"lists": map[string]any{"a": roomList([][2]int{{-1, 1}}, 1)}}, 400, "M_BAD_JSON"},
		"ranges not numbers": {`{"lists": {"a": {"ranges": "all"}}}`, 400, "M_BAD_JSON"},
		"not JSON":           {`{"lists": `, 400, "M_NOT_JSON"},
	} {
		t.Run(name, func(t *testing.T) {
			resp := s.Do(t, servertest.Request{Method: http.MethodPost, Path: unstablePath, Token: alice.AccessToken, Body: tc.body})
			require.Equal(t, tc.status, resp.Status, "%s", resp.Raw)
			require.Equal(t, tc.errcode, resp.Errcode())
		})
	}
	resp := s.Do(t, servertest.Request{Method: http.MethodPost, Path: unstablePath + "?set_presence=away", Token: alice.AccessToken, Body: map[string]any{}})
	require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Raw)
	resp = s.Do(t, servertest.Request{Method: http.MethodPost, Path: v4Path, Token: alice.AccessToken, Body: map[string]any{"set_presence": "away"}})
	require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Raw)
	require.Equal(t, "M_INVALID_PARAM", resp.Errcode())
	subs := map[string]any{}
	for i := range 101 {
		subs[fmt.Sprintf("!r%d:%s", i, s.ServerName)] = map[string]any{"timeline_limit": 1, "required_state": map[string]any{}}
	}
	resp = s.Do(t, servertest.Request{Method: http.MethodPost, Path: v4Path, Token: alice.AccessToken, Body: map[string]any{"room_subscriptions": subs}})
	require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Raw)
	require.Equal(t, "M_INVALID_PARAM", resp.Errcode(), "%s", resp.Raw)
	resp = s.Do(t, servertest.Request{Method: http.MethodPost, Path: unstablePath, Body: map[string]any{}})
	require.Equal(t, http.StatusUnauthorized, resp.Status)
	require.Equal(t, "M_MISSING_TOKEN", resp.Errcode())
}

// TestSlidingSyncShapes: the merged proposal's path reads pos from the
// body and answers with stripped_state and list rooms; MSC3575's path
// answers with SYNC ops.
func TestSlidingSyncShapes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	var made []id.RoomID
	for i := range 3 {
		r, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Name: fmt.Sprint("r", i), Preset: "private_chat", Invite: []id.UserID{bob.UserID}})
		require.NoError(t, err)
		made = append(made, r.RoomID)
	}
	_, err := bob.JoinRoomByID(ctx, made[0])
	require.NoError(t, err)

	v4 := newConn(t, s, bob, v4Path)
	body := map[string]any{
		"lists": map[string]any{"invites": map[string]any{
			"range": []int{0, 9}, "timeline_limit": 5,
			"required_state": map[string]any{"include": []map[string]any{{"type": "m.room.name", "state_key": ""}}},
			"filters":        map[string]any{"is_invited": true},
		}},
	}
	g := v4.sync(body, 0)
	require.Equal(t, int64(2), g.Get("lists.invites.count").Int())
	got := roomsOf(g)
	require.Len(t, got, 2)
	for _, room := range made[1:] {
		require.NotEmpty(t, got[room].Get("stripped_state").Array())
		require.Equal(t, []any{"invites"}, got[room].Get("lists").Value())
	}
	_, err = alice.SendText(ctx, made[1], "hi")
	require.NoError(t, err)
	require.Empty(t, roomsOf(v4.sync(body, 0)), "an invite shows no messages")

	old := newConn(t, s, bob, msc3575Path)
	g = old.sync(map[string]any{"lists": map[string]any{"all": roomList([][2]int{{0, 1}}, 1)}}, 0)
	ops := g.Get("lists.all.ops").Array()
	require.Len(t, ops, 1)
	require.Equal(t, "SYNC", ops[0].Get("op").Str)
	require.Equal(t, `[0,1]`, ops[0].Get("range").Raw)
	var ids []string
	for _, r := range ops[0].Get("room_ids").Array() {
		ids = append(ids, r.Str)
	}
	require.Len(t, ids, 2)
	require.True(t, slices.Contains(ids, string(made[1])) || slices.Contains(ids, string(made[2])))
}

// TestSlidingSyncFilters: lists filter by direct chats, tags, spaces, room
// types and encryption.
func TestSlidingSyncFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	create := func(req *mautrix.ReqCreateRoom) id.RoomID {
		t.Helper()
		r, err := alice.CreateRoom(ctx, req)
		require.NoError(t, err)
		return r.RoomID
	}
	dm := create(&mautrix.ReqCreateRoom{Preset: "trusted_private_chat", IsDirect: true, Invite: []id.UserID{bob.UserID}})
	require.NoError(t, alice.SetAccountData(ctx, "m.direct", map[id.UserID][]id.RoomID{bob.UserID: {dm}}))
	fav := create(&mautrix.ReqCreateRoom{Name: "fav"})
	require.NoError(t, alice.AddTag(ctx, fav, "m.favourite", 0.5))
	space := create(&mautrix.ReqCreateRoom{Name: "space", CreationContent: map[string]any{"type": "m.space"}})
	child := create(&mautrix.ReqCreateRoom{Name: "child"})
	_, err := alice.SendStateEvent(ctx, space, event.StateSpaceChild, string(child), map[string]any{"via": []string{s.ServerName}})
	require.NoError(t, err)
	secret := create(&mautrix.ReqCreateRoom{Name: "secret", InitialState: []*event.Event{{
		Type: event.StateEncryption, StateKey: ptr(""), Content: event.Content{Raw: map[string]any{"algorithm": "m.megolm.v1.aes-sha2"}},
	}}})

	list := func(filters map[string]any) map[string]any {
		return map[string]any{"ranges": [][2]int{{0, 20}}, "timeline_limit": 0, "filters": filters}
	}
	c := newConn(t, s, alice, unstablePath)
	g := c.sync(map[string]any{"lists": map[string]any{
		"dms":       list(map[string]any{"is_dm": true}),
		"favs":      list(map[string]any{"tags": []string{"m.favourite"}}),
		"not_favs":  list(map[string]any{"not_tags": []string{"m.favourite"}}),
		"spaces":    list(map[string]any{"room_types": []string{"m.space"}}),
		"no_spaces": list(map[string]any{"not_room_types": []string{"m.space"}}),
		"in_space":  list(map[string]any{"spaces": []string{string(space)}}),
		"encrypted": list(map[string]any{"is_encrypted": true}),
	}}, 0)
	count := func(name string) int64 { return g.Get("lists." + name + ".count").Int() }
	require.Equal(t, int64(1), count("dms"))
	require.Equal(t, int64(1), count("favs"))
	require.Equal(t, int64(4), count("not_favs"))
	require.Equal(t, int64(1), count("spaces"))
	require.Equal(t, int64(4), count("no_spaces"))
	require.Equal(t, int64(1), count("in_space"))
	require.Equal(t, int64(1), count("encrypted"))
	got := roomsOf(g)
	require.Len(t, got, 5)
	require.True(t, got[dm].Get("is_dm").Bool())
	require.False(t, got[child].Get("is_dm").Bool())
	require.Equal(t, string(bob.UserID), got[dm].Get("heroes.0.user_id").Str, "an unnamed room's heroes")
	require.Equal(t, int64(1), got[dm].Get("invited_count").Int())
	require.Empty(t, got[secret].Get("timeline").Array(), "timeline_limit 0")
	require.Equal(t, "secret", got[secret].Get("name").Str)
}

func ptr[T any](v T) *T { return &v }
