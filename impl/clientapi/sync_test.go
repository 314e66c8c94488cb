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

func syncOnce(t *testing.T, cli *mautrix.Client, since string, timeout time.Duration) *mautrix.RespSync {
	t.Helper()
	resp, err := cli.FullSyncRequest(context.Background(), mautrix.ReqSync{Since: since, Timeout: int(timeout.Milliseconds())})
	require.NoError(t, err)
	return resp
}

func syncBodies(evs []*event.Event) []string {
	var out []string
	for _, e := range evs {
		if e.Type == event.EventMessage {
			_ = e.Content.ParseRaw(e.Type)
			out = append(out, e.Content.AsMessage().Body)
		}
	}
	return out
}

func TestSyncInitialAndIncremental(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Name: "tea", Preset: "private_chat", Invite: []id.UserID{bob.UserID}})
	require.NoError(t, err)
	room := created.RoomID

	// Bob is invited: the invite comes with the room's stripped state.
	first := syncOnce(t, bob, "", 0)
	inv := first.Rooms.Invite[room]
	require.NotNil(t, inv, "invite section")
	var types []string
	for _, e := range inv.State.Events {
		types = append(types, e.Type.Type)
	}
	require.Contains(t, types, "m.room.name")
	require.Contains(t, types, "m.room.member")

	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)
	_, err = alice.SendText(ctx, room, "one")
	require.NoError(t, err)

	second := syncOnce(t, bob, first.NextBatch, 0)
	joined := second.Rooms.Join[room]
	require.NotNil(t, joined, "joined room appears once joined")
	require.Contains(t, syncBodies(joined.Timeline.Events), "one")
	// A newly joined room is sent whole: this one is short enough that its
	// whole history fits the timeline, so the state before it is empty.
	require.Equal(t, event.StateCreate, joined.Timeline.Events[0].Type)
	require.Empty(t, joined.State.Events)
	require.NotNil(t, joined.Summary.JoinedMemberCount)
	require.Equal(t, 2, *joined.Summary.JoinedMemberCount)

	_, err = alice.SendText(ctx, room, "two")
	require.NoError(t, err)
	third := syncOnce(t, bob, second.NextBatch, 0)
	require.Equal(t, []string{"two"}, syncBodies(third.Rooms.Join[room].Timeline.Events), "incremental: only what is new")
	require.False(t, third.Rooms.Join[room].Timeline.Limited)

	fourth := syncOnce(t, bob, third.NextBatch, 0)
	require.Empty(t, fourth.Rooms.Join, "nothing new")
	require.Equal(t, third.NextBatch, fourth.NextBatch)

	// Leaving shows the room under leave, once.
	_, err = bob.LeaveRoom(ctx, room)
	require.NoError(t, err)
	fifth := syncOnce(t, bob, fourth.NextBatch, 0)
	require.NotNil(t, fifth.Rooms.Leave[room])
	_, err = alice.SendText(ctx, room, "after you left")
	require.NoError(t, err)
	sixth := syncOnce(t, bob, fifth.NextBatch, 0)
	require.Empty(t, sixth.Rooms.Leave)
	require.Empty(t, sixth.Rooms.Join)
}

func TestSyncLongPollWakesOnMessage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	_, err = bob.JoinRoomByID(ctx, created.RoomID)
	require.NoError(t, err)
	since := syncOnce(t, bob, "", 0).NextBatch

	done := make(chan *mautrix.RespSync, 1)
	start := time.Now()
	go func() { done <- syncOnce(t, bob, since, 30*time.Second) }()
	time.Sleep(200 * time.Millisecond) // let it wait; waking early would still pass
	_, err = alice.SendText(ctx, created.RoomID, "wake up")
	require.NoError(t, err)
	select {
	case resp := <-done:
		require.Less(t, time.Since(start), 10*time.Second)
		require.Equal(t, []string{"wake up"}, syncBodies(resp.Rooms.Join[created.RoomID].Timeline.Events))
	case <-time.After(20 * time.Second):
		t.Fatal("sync was not woken")
	}
}

func TestSyncTimesOutEmpty(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	bob := s.Register(t, "bob", "builder12")
	since := syncOnce(t, bob, "", 0).NextBatch
	start := time.Now()
	resp := syncOnce(t, bob, since, 300*time.Millisecond)
	require.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
	require.NotEmpty(t, resp.NextBatch)
	require.Empty(t, resp.Rooms.Join)
}

func TestSyncLimitedTimelineAndFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	require.NoError(t, err)
	room := created.RoomID
	since := syncOnce(t, alice, "", 0).NextBatch
	for _, b := range []string{"a", "b", "topic", "c", "d", "e", "f"} {
		if b == "topic" {
			_, err = alice.SendStateEvent(ctx, room, event.StateTopic, "", map[string]string{"topic": "new topic"})
		} else {
			_, err = alice.SendText(ctx, room, b)
		}
		require.NoError(t, err)
	}

	// A stored filter: two timeline events.
	fr, err := alice.CreateFilter(ctx, &mautrix.Filter{Room: &mautrix.RoomFilter{Timeline: &mautrix.FilterPart{Limit: 2}}})
	require.NoError(t, err)
	resp, err := alice.FullSyncRequest(ctx, mautrix.ReqSync{Since: since, FilterID: fr.FilterID})
	require.NoError(t, err)
	tl := resp.Rooms.Join[room].Timeline
	require.True(t, tl.Limited)
	require.Len(t, tl.Events, 2)
	require.Equal(t, []string{"e", "f"}, syncBodies(tl.Events))
	// A gap: the state that changed in it comes with the timeline.
	var sawTopic bool
	for _, e := range resp.Rooms.Join[room].State.Events {
		sawTopic = sawTopic || e.Type == event.StateTopic
	}
	require.True(t, sawTopic, "state changed in the gap is sent")
	// And prev_batch reads the gap.
	msgs, err := alice.Messages(ctx, room, tl.PrevBatch, "", mautrix.DirectionBackward, nil, 3)
	require.NoError(t, err)
	require.Equal(t, []string{"d", "c"}, syncBodies(msgs.Chunk))

	// An inline filter: only messages from nobody.
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Token: alice.AccessToken,
		Path: "/_matrix/client/v3/sync?since=" + since + "&filter=" + url.QueryEscape(`{"room":{"timeline":{"senders":["@nobody:hearth.test"]}}}`)})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	join := r.Body["rooms"].(map[string]any)["join"].(map[string]any)[string(room)].(map[string]any)
	require.Empty(t, join["timeline"].(map[string]any)["events"])

	// Bad filters and tokens.
	for _, q := range []string{"since=nonsense", "filter=" + url.QueryEscape(`{"room":{"timeline":{"limit":"x"}}}`), "filter=999"} {
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Token: alice.AccessToken, Path: "/_matrix/client/v3/sync?" + q})
		require.Equal(t, http.StatusBadRequest, r.Status, "%s: %s", q, r.Raw)
	}
}

// TestSyncWokenByAnotherProcess sends through one hearth process and wakes
// a sync waiting on another.
func TestSyncWokenByAnotherProcess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := servertest.Config(t)
	a := servertest.Start(t, cfg)
	b := servertest.Start(t, cfg)
	alice := a.Register(t, "alice", "wonderland1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	bobOnB := b.Register(t, "bob", "builder12")
	_, err = bobOnB.JoinRoomByID(ctx, created.RoomID)
	require.NoError(t, err)
	since := syncOnce(t, bobOnB, "", 0).NextBatch

	done := make(chan *mautrix.RespSync, 1)
	go func() { done <- syncOnce(t, bobOnB, since, 30*time.Second) }()
	time.Sleep(200 * time.Millisecond)
	_, err = alice.SendText(ctx, created.RoomID, "across processes")
	require.NoError(t, err)
	select {
	case resp := <-done:
		require.Equal(t, []string{"across processes"}, syncBodies(resp.Rooms.Join[created.RoomID].Timeline.Events))
	case <-time.After(20 * time.Second):
		t.Fatal("not woken across processes")
	}
}
