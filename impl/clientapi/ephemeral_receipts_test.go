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

func receiptPath(room id.RoomID, typ string, ev id.EventID) string {
	return "/_matrix/client/v3/rooms/" + url.PathEscape(string(room)) + "/receipt/" + typ + "/" + url.PathEscape(string(ev))
}

// receiptsOf returns the users and their receipts of a type for an event
// in a room's m.receipt events.
func receiptsOf(resp *mautrix.RespSync, room id.RoomID, ev id.EventID, typ string) map[string]any {
	out := map[string]any{}
	for _, c := range ephemeralOf(resp, room, "m.receipt") {
		if byType, ok := c[string(ev)].(map[string]any); ok {
			if users, ok := byType[typ].(map[string]any); ok {
				for u, r := range users {
					out[u] = r
				}
			}
		}
	}
	return out
}

func postReceipt(t *testing.T, s *servertest.Server, cli *mautrix.Client, room id.RoomID, typ string, ev id.EventID, body any) {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: receiptPath(room, typ, ev), Token: cli.AccessToken, Body: body})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
}

// TestReceiptsWakeSyncAndStayPrivate: a public receipt wakes the other
// member's waiting sync; a private one reaches only its owner.
func TestReceiptsWakeSyncAndStayPrivate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoInARoom(t, s)
	first, err := bob.SendText(ctx, room, "first")
	require.NoError(t, err)
	second, err := bob.SendText(ctx, room, "second")
	require.NoError(t, err)
	aliceSince := settle(t, alice)
	since := settle(t, bob)

	poll := longPoll(bob, since)
	require.NoError(t, alice.SendReceipt(ctx, room, first.EventID, event.ReceiptTypeRead, nil))
	resp := woken(t, poll)
	got := receiptsOf(resp, room, first.EventID, "m.read")
	require.Contains(t, got, string(alice.UserID))
	require.NotZero(t, got[string(alice.UserID)].(map[string]any)["ts"])
	// Once per change.
	require.Empty(t, ephemeralOf(syncNow(t, bob, resp.NextBatch), room, "m.receipt"))

	// A private receipt: alice's own sync sees it, bob's does not.
	require.NoError(t, alice.SendReceipt(ctx, room, second.EventID, event.ReceiptTypeReadPrivate, nil))
	bobs := syncNow(t, bob, resp.NextBatch)
	require.Empty(t, ephemeralOf(bobs, room, "m.receipt"), "bob sees nothing of a private receipt")
	alices := syncNow(t, alice, aliceSince)
	require.Contains(t, receiptsOf(alices, room, second.EventID, "m.read.private"), string(alice.UserID))
	require.Contains(t, receiptsOf(alices, room, first.EventID, "m.read"), string(alice.UserID))

	// Initial syncs carry the current receipts, private ones to their owner.
	initial := syncNow(t, bob, "")
	require.Contains(t, receiptsOf(initial, room, first.EventID, "m.read"), string(alice.UserID))
	require.Empty(t, receiptsOf(initial, room, second.EventID, "m.read.private"))
	require.Contains(t, receiptsOf(syncNow(t, alice, ""), room, second.EventID, "m.read.private"), string(alice.UserID))

	// Receipts move forward only: one for an older event is accepted and
	// changes nothing.
	require.NoError(t, alice.SendReceipt(ctx, room, second.EventID, event.ReceiptTypeRead, nil))
	after := syncNow(t, bob, bobs.NextBatch)
	require.Contains(t, receiptsOf(after, room, second.EventID, "m.read"), string(alice.UserID))
	require.NoError(t, alice.SendReceipt(ctx, room, first.EventID, event.ReceiptTypeRead, nil))
	again := syncNow(t, bob, after.NextBatch)
	require.Empty(t, ephemeralOf(again, room, "m.receipt"))
	require.Contains(t, receiptsOf(syncNow(t, bob, ""), room, second.EventID, "m.read"), string(alice.UserID))
	require.Empty(t, receiptsOf(syncNow(t, bob, ""), room, first.EventID, "m.read"))
}

// TestThreadedReceipts: receipts in threads carry their thread ID; thread
// IDs must be "main" or the root of a thread the event is in.
func TestThreadedReceipts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoInARoom(t, s)
	root, err := bob.SendText(ctx, room, "root")
	require.NoError(t, err)
	reply, err := bob.SendMessageEvent(ctx, room, event.EventMessage, threadReply(root.EventID, "in thread"))
	require.NoError(t, err)
	other, err := bob.SendText(ctx, room, "elsewhere")
	require.NoError(t, err)
	since := settle(t, bob)

	postReceipt(t, s, alice, room, "m.read", reply.EventID, map[string]any{"thread_id": string(root.EventID)})
	postReceipt(t, s, alice, room, "m.read", other.EventID, map[string]any{"thread_id": "main"})
	resp := syncNow(t, bob, since)
	require.Equal(t, string(root.EventID), receiptsOf(resp, room, reply.EventID, "m.read")[string(alice.UserID)].(map[string]any)["thread_id"])
	require.Equal(t, "main", receiptsOf(resp, room, other.EventID, "m.read")[string(alice.UserID)].(map[string]any)["thread_id"])
	// The root belongs to its thread.
	postReceipt(t, s, alice, room, "m.read", root.EventID, map[string]any{"thread_id": string(root.EventID)})

	for _, tc := range []struct {
		name string
		typ  string
		ev   id.EventID
		body any
	}{
		{"empty thread", "m.read", reply.EventID, map[string]any{"thread_id": ""}},
		{"not an event ID", "m.read", reply.EventID, map[string]any{"thread_id": "thread"}},
		{"event not in the thread", "m.read", other.EventID, map[string]any{"thread_id": string(root.EventID)}},
		{"read marker with a thread", "m.fully_read", reply.EventID, map[string]any{"thread_id": "main"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, code := errcodeOf(t, s, http.MethodPost, receiptPath(room, tc.typ, tc.ev), alice.AccessToken, tc.body)
			require.Equal(t, http.StatusBadRequest, status)
			require.Equal(t, "M_INVALID_PARAM", code)
		})
	}
}

func threadReply(root id.EventID, text string) map[string]any {
	return map[string]any{"msgtype": "m.text", "body": text, "m.relates_to": map[string]any{"rel_type": "m.thread", "event_id": string(root)}}
}

// TestReadMarkers: m.fully_read, through /receipt or /read_markers, is the
// room's account data for the user's clients, and moves forward only.
func TestReadMarkers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoInARoom(t, s)
	first, err := bob.SendText(ctx, room, "first")
	require.NoError(t, err)
	second, err := bob.SendText(ctx, room, "second")
	require.NoError(t, err)
	phone := secondDevice(t, s, "alice", "wonderland1")
	settle(t, alice)
	bobSince := settle(t, bob)
	since := settle(t, phone)

	poll := longPoll(phone, since)
	postReceipt(t, s, alice, room, "m.fully_read", first.EventID, nil)
	resp := woken(t, poll)
	marker := roomAccountData(resp, room, "m.fully_read")
	require.Equal(t, []map[string]any{{"event_id": string(first.EventID)}}, marker)
	require.Empty(t, ephemeralOf(resp, room, "m.receipt"), "the read marker is no receipt")

	// /read_markers moves the marker and the receipts at once.
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Token: alice.AccessToken,
		Path: "/_matrix/client/v3/rooms/" + url.PathEscape(string(room)) + "/read_markers",
		Body: map[string]any{"m.fully_read": string(second.EventID), "m.read": string(second.EventID), "m.read.private": string(first.EventID)}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	resp = syncNow(t, phone, resp.NextBatch)
	require.Equal(t, []map[string]any{{"event_id": string(second.EventID)}}, roomAccountData(resp, room, "m.fully_read"))
	require.Contains(t, receiptsOf(resp, room, second.EventID, "m.read"), string(alice.UserID))
	require.Contains(t, receiptsOf(resp, room, first.EventID, "m.read.private"), string(alice.UserID))
	bobs := syncNow(t, bob, bobSince)
	require.Contains(t, receiptsOf(bobs, room, second.EventID, "m.read"), string(alice.UserID))
	require.Empty(t, roomAccountData(bobs, room, "m.fully_read"), "the read marker is alice's own")

	// Backwards does nothing.
	postReceipt(t, s, alice, room, "m.fully_read", first.EventID, nil)
	require.Empty(t, roomAccountData(syncNow(t, phone, resp.NextBatch), room, "m.fully_read"))
	var content map[string]any
	require.NoError(t, alice.GetRoomAccountData(ctx, room, "m.fully_read", &content))
	require.Equal(t, string(second.EventID), content["event_id"])
}

func TestReceiptsBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoInARoom(t, s)
	carol := s.Register(t, "carol", "carolpass1")
	msg, err := bob.SendText(ctx, room, "hello")
	require.NoError(t, err)
	elsewhere, err := carol.CreateRoom(ctx, &mautrix.ReqCreateRoom{})
	require.NoError(t, err)
	theirs, err := carol.SendText(ctx, elsewhere.RoomID, "not yours")
	require.NoError(t, err)
	markers := "/_matrix/client/v3/rooms/" + url.PathEscape(string(room)) + "/read_markers"

	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		errcode                   string
	}{
		{"not joined", http.MethodPost, receiptPath(room, "m.read", msg.EventID), carol.AccessToken, map[string]any{}, 403, "M_FORBIDDEN"},
		{"unknown room", http.MethodPost, receiptPath("!nowhere:hearth.test", "m.read", msg.EventID), alice.AccessToken, map[string]any{}, 403, "M_FORBIDDEN"},
		{"unknown event", http.MethodPost, receiptPath(room, "m.read", "$nothing"), alice.AccessToken, map[string]any{}, 404, "M_NOT_FOUND"},
		{"event of another room", http.MethodPost, receiptPath(room, "m.read", theirs.EventID), alice.AccessToken, map[string]any{}, 404, "M_NOT_FOUND"},
		{"unknown receipt type", http.MethodPost, receiptPath(room, "m.unread", msg.EventID), alice.AccessToken, map[string]any{}, 400, "M_INVALID_PARAM"},
		{"not an event ID", http.MethodPost, receiptPath(room, "m.read", "nothing"), alice.AccessToken, map[string]any{}, 400, "M_INVALID_PARAM"},
		{"thread not a string", http.MethodPost, receiptPath(room, "m.read", msg.EventID), alice.AccessToken, map[string]any{"thread_id": 5}, 400, "M_BAD_JSON"},
		{"markers: not an event ID", http.MethodPost, markers, alice.AccessToken, map[string]any{"m.read": "nothing"}, 400, "M_INVALID_PARAM"},
		{"markers: not a string", http.MethodPost, markers, alice.AccessToken, map[string]any{"m.fully_read": 1}, 400, "M_BAD_JSON"},
		{"markers: unknown event", http.MethodPost, markers, alice.AccessToken, map[string]any{"m.fully_read": "$nothing"}, 404, "M_NOT_FOUND"},
		{"markers: not joined", http.MethodPost, markers, carol.AccessToken, map[string]any{"m.read": string(msg.EventID)}, 403, "M_FORBIDDEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, code := errcodeOf(t, s, tc.method, tc.path, tc.token, tc.body)
			require.Equal(t, tc.status, status)
			require.Equal(t, tc.errcode, code)
		})
	}
	// An empty /read_markers changes nothing and is fine.
	status, _ := errcodeOf(t, s, http.MethodPost, markers, alice.AccessToken, map[string]any{})
	require.Equal(t, http.StatusOK, status)
}
