package clientapi_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// requireLinearHistory checks that a room's events form one chain: each
// event's only predecessor is the event before it, depths rise by one, and
// stream positions rise along the chain.
func requireLinearHistory(t *testing.T, s *servertest.Server, room id.RoomID, wantEvents int) {
	t.Helper()
	rows, err := s.App.Pool.Query(context.Background(), `
		SELECT e.event_nid, e.prev_event_nids, e.depth, e.stream_pos FROM events e JOIN rooms r USING (room_nid)
		WHERE r.room_id = $1 ORDER BY e.depth`, string(room))
	require.NoError(t, err)
	defer rows.Close()
	var prevNID, prevDepth, prevPos int64
	n := 0
	for rows.Next() {
		var nid, depth, pos int64
		var prevs []int64
		require.NoError(t, rows.Scan(&nid, &prevs, &depth, &pos))
		if n == 0 {
			require.Empty(t, prevs, "the create event has no predecessor")
		} else {
			require.Equal(t, []int64{prevNID}, prevs, "event %d forks the DAG", nid)
			require.Equal(t, prevDepth+1, depth)
			require.Greater(t, pos, prevPos, "stream positions follow the chain")
		}
		prevNID, prevDepth, prevPos = nid, depth, pos
		n++
	}
	require.NoError(t, rows.Err())
	require.Equal(t, wantEvents, n)
}

func TestConcurrentSendersKeepHistoryLinear(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	owner := s.Register(t, "owner", "password1")
	created, err := owner.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	room := created.RoomID
	before := eventCount(t, s, room)

	const senders, each = 16, 5
	clients := make([]*mautrix.Client, senders)
	for i := range clients {
		clients[i] = s.Register(t, fmt.Sprintf("sender%d", i), "password1")
		_, err := clients[i].JoinRoomByID(ctx, room)
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, senders*each)
	for _, cli := range clients {
		wg.Go(func() {
			for j := range each {
				if _, err := cli.SendText(ctx, room, fmt.Sprintf("message %d", j)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	requireLinearHistory(t, s, room, before+senders+senders*each)
}

// TestTwoProcessesNeverForkARoom sends to one room through two hearth
// processes sharing the database at once.
func TestTwoProcessesNeverForkARoom(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := servertest.Config(t)
	a := servertest.Start(t, cfg)
	b := servertest.Start(t, cfg)
	alice := a.Register(t, "alice", "password1")
	bob := b.Register(t, "bob", "password1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	room := created.RoomID
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)
	before := eventCount(t, a, room)

	const each = 20
	var wg sync.WaitGroup
	for _, cli := range []*mautrix.Client{alice, bob} {
		wg.Go(func() {
			for j := range each {
				_, err := cli.SendText(ctx, room, fmt.Sprintf("%s %d", cli.UserID, j))
				require.NoError(t, err)
			}
		})
	}
	wg.Wait()
	requireLinearHistory(t, a, room, before+2*each)
}

func TestSendIsIdempotentPerTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	require.NoError(t, err)
	path := roomPath(created.RoomID, "/send/m.room.message/txn1")
	body := map[string]any{"msgtype": "m.text", "body": "once"}

	var wg sync.WaitGroup
	ids := make([]any, 4)
	for i := range ids {
		wg.Go(func() {
			r := s.Do(t, servertest.Request{Method: "PUT", Path: path, Token: alice.AccessToken, Body: body})
			ids[i] = r.Body["event_id"]
		})
	}
	wg.Wait()
	for _, got := range ids {
		require.Equal(t, ids[0], got, "every retry gets the first send's event")
	}
	// Another device's identical transaction ID is another event.
	other := s.Client(t, "", "")
	_, err = other.Login(ctx, &mautrix.ReqLogin{Type: mautrix.AuthTypePassword, Password: "wonderland1",
		Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: "alice"}, StoreCredentials: true})
	require.NoError(t, err)
	r := s.Do(t, servertest.Request{Method: "PUT", Path: path, Token: other.AccessToken, Body: body})
	require.NotEqual(t, ids[0], r.Body["event_id"])

	// The sender's device sees its transaction ID; others do not.
	ev, err := alice.GetEvent(ctx, created.RoomID, id.EventID(ids[0].(string)))
	require.NoError(t, err)
	require.Equal(t, "txn1", ev.Unsigned.TransactionID)
	ev, err = other.GetEvent(ctx, created.RoomID, id.EventID(ids[0].(string)))
	require.NoError(t, err)
	require.Empty(t, ev.Unsigned.TransactionID)
}
