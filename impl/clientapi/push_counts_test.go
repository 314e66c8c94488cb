package clientapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// counts reads a room's unread counts from a sync.
func counts(t *testing.T, resp *mautrix.RespSync, room id.RoomID) (notifications, highlights int) {
	t.Helper()
	j := resp.Rooms.Join[room]
	require.NotNil(t, j, "room missing from the sync")
	require.NotNil(t, j.UnreadNotifications)
	return j.UnreadNotifications.NotificationCount, j.UnreadNotifications.HighlightCount
}

// threadSync is a /sync answer's unread counts, main and per thread.
type threadSync struct {
	NextBatch string `json:"next_batch"`
	Rooms     struct {
		Join map[id.RoomID]struct {
			Unread  unreadJSON                `json:"unread_notifications"`
			Threads map[id.EventID]unreadJSON `json:"unread_thread_notifications"`
		} `json:"join"`
	} `json:"rooms"`
}

type unreadJSON struct {
	Notifications int `json:"notification_count"`
	Highlights    int `json:"highlight_count"`
}

// threadedSync syncs with unread_thread_notifications on.
func threadedSync(t *testing.T, s *servertest.Server, cli *mautrix.Client, since string) threadSync {
	t.Helper()
	q := url.Values{"filter": {`{"room":{"timeline":{"unread_thread_notifications":true}}}`}, "timeout": {"0"}}
	if since != "" {
		q.Set("since", since)
	}
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/sync?" + q.Encode(), Token: cli.AccessToken})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	var out threadSync
	require.NoError(t, json.Unmarshal(r.Raw, &out))
	return out
}

func sendThreadReply(t *testing.T, cli *mautrix.Client, room id.RoomID, root id.EventID, body string) id.EventID {
	t.Helper()
	resp, err := cli.SendMessageEvent(context.Background(), room, event.EventMessage, map[string]any{
		"msgtype": "m.text", "body": body,
		"m.relates_to": map[string]any{"rel_type": "m.thread", "event_id": root, "is_falling_back": true,
			"m.in_reply_to": map[string]any{"event_id": root}}})
	require.NoError(t, err)
	return resp.EventID
}

// TestUnreadCountsFollowMessagesAndReceipts: counts in /sync grow with
// messages and mentions and fall with the user's receipts, public or
// private, and with the user's own messages.
func TestUnreadCountsFollowMessagesAndReceipts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoInARoom(t, s)
	_ = settle(t, alice)
	since := settle(t, bob)

	var sent []id.EventID
	for i := range 3 {
		resp, err := alice.SendText(ctx, room, fmt.Sprintf("message %d", i))
		require.NoError(t, err)
		sent = append(sent, resp.EventID)
	}
	resp := syncNow(t, bob, since)
	n, h := counts(t, resp, room)
	require.Equal(t, [2]int{3, 0}, [2]int{n, h})

	mention, err := alice.SendMessageEvent(ctx, room, event.EventMessage, map[string]any{
		"msgtype": "m.text", "body": "bob!", "m.mentions": map[string]any{"user_ids": []id.UserID{bob.UserID}}})
	require.NoError(t, err)
	resp = syncNow(t, bob, resp.NextBatch)
	n, h = counts(t, resp, room)
	require.Equal(t, [2]int{4, 1}, [2]int{n, h})

	// A receipt on the second message leaves the third and the mention.
	require.NoError(t, bob.SendReceipt(ctx, room, sent[1], event.ReceiptTypeRead, nil))
	resp = syncNow(t, bob, resp.NextBatch)
	n, h = counts(t, resp, room)
	require.Equal(t, [2]int{2, 1}, [2]int{n, h})

	// A private receipt counts as much.
	require.NoError(t, bob.SendReceipt(ctx, room, mention.EventID, event.ReceiptTypeReadPrivate, nil))
	resp = syncNow(t, bob, resp.NextBatch)
	n, h = counts(t, resp, room)
	require.Equal(t, [2]int{0, 0}, [2]int{n, h})

	// An initial sync says the same, and so does the next message's sync.
	n, _ = counts(t, syncNow(t, bob, ""), room)
	require.Zero(t, n)
	_, err = alice.SendText(ctx, room, "one more")
	require.NoError(t, err)
	resp = syncNow(t, bob, resp.NextBatch)
	n, _ = counts(t, resp, room)
	require.Equal(t, 1, n)

	// Bob's own message reads what came before it.
	_, err = bob.SendText(ctx, room, "I'm here")
	require.NoError(t, err)
	resp = syncNow(t, bob, resp.NextBatch)
	n, _ = counts(t, resp, room)
	require.Zero(t, n)

	// Alice sees nothing of her own messages.
	n, _ = counts(t, syncNow(t, alice, ""), room)
	require.Equal(t, 1, n, "bob's last message")
}

// TestUnreadThreadCounts: with unread_thread_notifications, each thread has
// its counts and threaded receipts clear them alone; without, the room's
// counts take every thread in.
func TestUnreadThreadCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoInARoom(t, s)
	since := settle(t, bob)

	root, err := alice.SendText(ctx, room, "thread root")
	require.NoError(t, err)
	t1 := sendThreadReply(t, alice, room, root.EventID, "first reply")
	sendThreadReply(t, alice, room, root.EventID, "second reply")
	_, err = alice.SendText(ctx, room, "main again")
	require.NoError(t, err)

	resp := threadedSync(t, s, bob, since)
	j := resp.Rooms.Join[room]
	require.Equal(t, 2, j.Unread.Notifications, "the root and the last main message")
	require.Len(t, j.Threads, 1)
	require.Equal(t, 2, j.Threads[root.EventID].Notifications)
	// Without the filter option: every thread counts in the room.
	n, _ := counts(t, syncNow(t, bob, since), room)
	require.Equal(t, 4, n)

	// A threaded receipt clears its thread up to its event.
	postReceipt(t, s, bob, room, "m.read", t1, map[string]any{"thread_id": root.EventID})
	resp = threadedSync(t, s, bob, resp.NextBatch)
	j = resp.Rooms.Join[room]
	require.Equal(t, 2, j.Unread.Notifications, "the main timeline is untouched")
	require.Equal(t, 1, j.Threads[root.EventID].Notifications)

	// The main timeline's receipt clears the main timeline only.
	postReceipt(t, s, bob, room, "m.read", root.EventID, map[string]any{"thread_id": "main"})
	resp = threadedSync(t, s, bob, resp.NextBatch)
	j = resp.Rooms.Join[room]
	require.Equal(t, 1, j.Unread.Notifications)
	require.Equal(t, 1, j.Threads[root.EventID].Notifications)

	// An unthreaded receipt at the last event clears everything.
	last, err := alice.SendText(ctx, room, "last")
	require.NoError(t, err)
	postReceipt(t, s, bob, room, "m.read", last.EventID, nil)
	resp = threadedSync(t, s, bob, resp.NextBatch)
	j = resp.Rooms.Join[room]
	require.Zero(t, j.Unread.Notifications)
	require.Empty(t, j.Threads)
}

// TestSlidingSyncCounts: sliding sync rooms carry the same counts.
func TestSlidingSyncCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoInARoom(t, s)
	for range 2 {
		_, err := alice.SendText(ctx, room, "ping")
		require.NoError(t, err)
	}
	_, err := alice.SendMessageEvent(ctx, room, event.EventMessage, map[string]any{
		"msgtype": "m.text", "body": "all of you", "m.mentions": map[string]any{"room": true}})
	require.NoError(t, err)
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Token: bob.AccessToken,
		Path: "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync?timeout=0&conn_id=" + url.QueryEscape("push"),
		Body: map[string]any{"lists": map[string]any{"all": map[string]any{"ranges": [][]int{{0, 10}}, "timeline_limit": 1,
			"required_state": [][]string{}}}}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	rooms := r.Body["rooms"].(map[string]any)
	got := rooms[string(room)].(map[string]any)
	require.EqualValues(t, 3, got["notification_count"])
	// alice created the room: her power level reaches @room's.
	require.EqualValues(t, 1, got["highlight_count"])
}

// TestUnreadCountsManyRoomsAndCap: one sync counts every room apart (one
// batched read), and counting a room again evaluates no more than the
// configured cap of its latest unread events.
func TestUnreadCountsManyRoomsAndCap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) { c.Push.UnreadEventsCap = 4 }))
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	var roomIDs []id.RoomID
	for range 3 {
		created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
		require.NoError(t, err)
		_, err = bob.JoinRoomByID(ctx, created.RoomID)
		require.NoError(t, err)
		roomIDs = append(roomIDs, created.RoomID)
	}
	since := settle(t, bob)
	var first id.EventID
	for i, room := range roomIDs {
		for j := range i + 1 {
			sent, err := alice.SendText(ctx, room, "hi")
			require.NoError(t, err)
			if j == 0 {
				first = sent.EventID
			}
		}
	}
	resp := syncNow(t, bob, since)
	for i, room := range roomIDs {
		n, _ := counts(t, resp, room)
		require.Equal(t, i+1, n, "room %d", i)
	}
	// New events add to the counts...
	for range 3 {
		_, err := alice.SendText(ctx, roomIDs[2], "more")
		require.NoError(t, err)
	}
	resp = syncNow(t, bob, resp.NextBatch)
	n, _ := counts(t, resp, roomIDs[2])
	require.Equal(t, 6, n)
	// ...but a room counted again from a receipt evaluates the latest four
	// unread events at most.
	require.NoError(t, bob.SendReceipt(ctx, roomIDs[2], first, event.ReceiptTypeRead, nil))
	n, _ = counts(t, syncNow(t, bob, resp.NextBatch), roomIDs[2])
	require.Equal(t, 4, n, "five unread, four counted")
	n, _ = counts(t, syncNow(t, bob, ""), roomIDs[1])
	require.Equal(t, 2, n)
}
