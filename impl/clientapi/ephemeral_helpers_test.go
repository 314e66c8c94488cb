package clientapi_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// These helpers serve the typing, receipt, account data and presence
// tests: real mautrix-go clients syncing against a real hearth.

// pollTimeout is how long a long-poll waits in these tests: far longer than
// any wake-up should take, so that an answer before it proves a wake-up.
const pollTimeout = 10 * time.Second

type syncResult struct {
	resp    *mautrix.RespSync
	err     error
	elapsed time.Duration
}

// longPoll starts a /sync from since that waits up to pollTimeout.
func longPoll(cli *mautrix.Client, since string) <-chan syncResult {
	ch := make(chan syncResult, 1)
	start := time.Now()
	go func() {
		resp, err := cli.FullSyncRequest(context.Background(), mautrix.ReqSync{Since: since, Timeout: int(pollTimeout.Milliseconds())})
		ch <- syncResult{resp: resp, err: err, elapsed: time.Since(start)}
	}()
	// Let the request reach its wait; waking it early would still pass.
	time.Sleep(200 * time.Millisecond)
	return ch
}

// woken waits for a long-poll and requires it to have been woken, not to
// have timed out.
func woken(t *testing.T, ch <-chan syncResult) *mautrix.RespSync {
	t.Helper()
	select {
	case r := <-ch:
		require.NoError(t, r.err)
		require.Less(t, r.elapsed, pollTimeout-time.Second, "the sync timed out instead of waking")
		return r.resp
	case <-time.After(pollTimeout + 5*time.Second):
		t.Fatal("the sync never answered")
		return nil
	}
}

// settle syncs once and returns the token: every user's first sync brings
// them online, which wakes others; tests settle everyone first.
func settle(t *testing.T, cli *mautrix.Client) string {
	t.Helper()
	resp, err := cli.FullSyncRequest(context.Background(), mautrix.ReqSync{})
	require.NoError(t, err)
	return resp.NextBatch
}

// syncNow syncs from since without waiting.
func syncNow(t *testing.T, cli *mautrix.Client, since string) *mautrix.RespSync {
	t.Helper()
	resp, err := cli.FullSyncRequest(context.Background(), mautrix.ReqSync{Since: since})
	require.NoError(t, err)
	return resp
}

// ofType returns the contents of the events of a type, as JSON objects.
func ofType(evs []*event.Event, typ string) []map[string]any {
	var out []map[string]any
	for _, e := range evs {
		if e.Type.Type == typ {
			var c map[string]any
			if err := json.Unmarshal(e.Content.VeryRaw, &c); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// ephemeral returns a joined room's ephemeral events of a type.
func ephemeralOf(resp *mautrix.RespSync, room id.RoomID, typ string) []map[string]any {
	j := resp.Rooms.Join[room]
	if j == nil {
		return nil
	}
	return ofType(j.Ephemeral.Events, typ)
}

// roomAccountData returns a joined room's account data events of a type.
func roomAccountData(resp *mautrix.RespSync, room id.RoomID, typ string) []map[string]any {
	j := resp.Rooms.Join[room]
	if j == nil {
		return nil
	}
	return ofType(j.AccountData.Events, typ)
}

// twoInARoom registers alice and bob, joined to one room, both settled.
func twoInARoom(t *testing.T, s *servertest.Server) (alice, bob *mautrix.Client, room id.RoomID) {
	t.Helper()
	ctx := context.Background()
	alice = s.Register(t, "alice", "wonderland1")
	bob = s.Register(t, "bob", "builder12")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	_, err = bob.JoinRoomByID(ctx, created.RoomID)
	require.NoError(t, err)
	return alice, bob, created.RoomID
}

// secondDevice logs in to an existing account again.
func secondDevice(t *testing.T, s *servertest.Server, localpart, password string) *mautrix.Client {
	t.Helper()
	cli := s.Client(t, "", "")
	_, err := cli.Login(context.Background(), &mautrix.ReqLogin{
		Type:             mautrix.AuthTypePassword,
		Identifier:       mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: localpart},
		Password:         password,
		StoreCredentials: true,
	})
	require.NoError(t, err)
	return cli
}

// errcodeOf sends a raw request and returns its status and errcode.
func errcodeOf(t *testing.T, s *servertest.Server, method, path, token string, body any) (int, string) {
	t.Helper()
	r := s.Do(t, servertest.Request{Method: method, Path: path, Token: token, Body: body})
	return r.Status, r.Errcode()
}

func idRoom(s string) id.RoomID { return id.RoomID(s) }
