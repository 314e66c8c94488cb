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

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func presencePath(user id.UserID) string {
	return "/_matrix/client/v3/presence/" + url.PathEscape(string(user)) + "/status"
}

// presenceIn returns user's m.presence content in a sync, nil when absent.
func presenceIn(resp *mautrix.RespSync, user id.UserID) map[string]any {
	var found map[string]any
	for _, e := range resp.Presence.Events {
		if e.Type == event.EphemeralEventPresence && e.Sender == user {
			found = ofType([]*event.Event{e}, "m.presence")[0]
		}
	}
	return found
}

// waitPresence long-polls from since until user's presence is state, up to
// a deadline, and returns the sync that had it.
func waitPresence(t *testing.T, cli *mautrix.Client, since string, user id.UserID, state string) *mautrix.RespSync {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp := woken(t, longPoll(cli, since))
		if p := presenceIn(resp, user); p != nil && p["presence"] == state {
			return resp
		}
		since = resp.NextBatch
	}
	t.Fatalf("%s never became %s", user, state)
	return nil
}

// TestPresenceWakesSync: a presence change wakes the waiting sync of a
// user sharing a room; initial syncs carry everyone's presence.
func TestPresenceWakesSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, _ := twoInARoom(t, s)
	settle(t, alice)
	since := settle(t, bob)

	poll := longPoll(bob, since)
	require.NoError(t, alice.SetPresence(ctx, mautrix.ReqPresence{Presence: event.PresenceUnavailable, StatusMsg: "lunch"}))
	resp := woken(t, poll)
	p := presenceIn(resp, alice.UserID)
	require.NotNil(t, p, "alice's presence")
	require.Equal(t, "unavailable", p["presence"])
	require.Equal(t, "lunch", p["status_msg"])
	require.Nil(t, presenceIn(syncNow(t, bob, resp.NextBatch), alice.UserID), "once per change")

	// Initial syncs: everyone sharing a room, the user too.
	initial := syncNow(t, bob, "")
	require.Equal(t, "unavailable", presenceIn(initial, alice.UserID)["presence"])
	require.Equal(t, "online", presenceIn(initial, bob.UserID)["presence"], "bob's syncs brought him online")

	// GET: one's own, and of those sharing a room.
	got, err := bob.GetPresence(ctx, alice.UserID)
	require.NoError(t, err)
	require.Equal(t, event.PresenceUnavailable, got.Presence)
	require.Equal(t, "lunch", got.StatusMsg)
	own, err := alice.GetOwnPresence(ctx)
	require.NoError(t, err)
	require.Equal(t, event.PresenceUnavailable, own.Presence)

	// set_presence on /sync.
	since = syncNow(t, alice, "").NextBatch
	_, err = bob.FullSyncRequest(ctx, mautrix.ReqSync{Since: resp.NextBatch, SetPresence: event.PresenceUnavailable})
	require.NoError(t, err)
	require.Equal(t, "unavailable", presenceIn(syncNow(t, alice, since), bob.UserID)["presence"])
	// Coming online clears the status message unless it is given again.
	require.NoError(t, alice.SetPresence(ctx, mautrix.ReqPresence{Presence: event.PresenceOnline}))
	got, err = bob.GetPresence(ctx, alice.UserID)
	require.NoError(t, err)
	require.Equal(t, event.PresenceOnline, got.Presence)
	require.Empty(t, got.StatusMsg)
	require.True(t, got.CurrentlyActive)
}

// TestPresenceGoesIdleAndOffline: users with no activity turn unavailable,
// and offline once they stop syncing too, with nobody asking; activity
// brings an idle user back. The clock is the test's.
func TestPresenceGoesIdleAndOffline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) {
		c.Presence.IdleAfter = time.Minute
		c.Presence.OfflineAfter = 10 * time.Minute
	}))
	alice, bob, room := twoInARoom(t, s)
	require.NoError(t, alice.SetPresence(ctx, mautrix.ReqPresence{Presence: event.PresenceOnline}))
	settle(t, alice)
	since := settle(t, bob)

	poll := longPoll(bob, since)
	s.Clock.Advance(61 * time.Second)
	resp := woken(t, poll)
	if p := presenceIn(resp, alice.UserID); p == nil || p["presence"] != "unavailable" {
		resp = waitPresence(t, bob, resp.NextBatch, alice.UserID, "unavailable")
	}
	require.GreaterOrEqual(t, presenceIn(resp, alice.UserID)["last_active_ago"], float64(60000))

	// Activity (a typing notice) brings alice back.
	poll = longPoll(bob, resp.NextBatch)
	_, err := alice.UserTyping(ctx, room, true, time.Second)
	require.NoError(t, err)
	resp = woken(t, poll)
	if p := presenceIn(resp, alice.UserID); p == nil || p["presence"] != "online" {
		resp = waitPresence(t, bob, resp.NextBatch, alice.UserID, "online")
	}

	// Ten minutes without syncing or acting: offline. Bob keeps syncing.
	s.Clock.Advance(11 * time.Minute)
	resp = waitPresence(t, bob, resp.NextBatch, alice.UserID, "offline")
	got, err := bob.GetPresence(ctx, alice.UserID)
	require.NoError(t, err)
	require.Equal(t, event.PresenceOffline, got.Presence)
	// A sync brings her online again.
	settle(t, alice)
	waitPresence(t, bob, resp.NextBatch, alice.UserID, "online")
}

// TestPresenceMessageIsActivity: sending a message brings an idle user
// back online.
func TestPresenceMessageIsActivity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) { c.Presence.IdleAfter = time.Minute }))
	alice, bob, room := twoInARoom(t, s)
	require.NoError(t, alice.SetPresence(ctx, mautrix.ReqPresence{Presence: event.PresenceOnline}))
	settle(t, alice)
	since := settle(t, bob)
	s.Clock.Advance(61 * time.Second)
	resp := waitPresence(t, bob, since, alice.UserID, "unavailable")

	_, err := alice.SendText(ctx, room, "back")
	require.NoError(t, err)
	waitPresence(t, bob, resp.NextBatch, alice.UserID, "online")
}

// TestPresenceDisabled: with presence off, the endpoints answer but /sync
// carries nothing and wakes nobody.
func TestPresenceDisabled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) { c.Presence.Enabled = false }))
	alice, bob, _ := twoInARoom(t, s)
	settle(t, alice)
	since := settle(t, bob)

	start := time.Now()
	ch := make(chan *mautrix.RespSync, 1)
	go func() {
		resp, _ := bob.FullSyncRequest(ctx, mautrix.ReqSync{Since: since, Timeout: 1500})
		ch <- resp
	}()
	time.Sleep(200 * time.Millisecond)
	require.NoError(t, alice.SetPresence(ctx, mautrix.ReqPresence{Presence: event.PresenceUnavailable, StatusMsg: "away"}))
	resp := <-ch
	require.NotNil(t, resp)
	require.GreaterOrEqual(t, time.Since(start), 1500*time.Millisecond, "nobody is woken")
	require.Empty(t, resp.Presence.Events)
	require.Empty(t, syncNow(t, bob, "").Presence.Events)
	got, err := bob.GetPresence(ctx, alice.UserID)
	require.NoError(t, err)
	require.Equal(t, event.PresenceUnavailable, got.Presence)
	require.Equal(t, "away", got.StatusMsg)
}

func TestPresenceBadInput(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice, bob, _ := twoInARoom(t, s)
	carol := s.Register(t, "carol", "carolpass1")
	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		errcode                   string
	}{
		{"set someone else's", http.MethodPut, presencePath(bob.UserID), alice.AccessToken, map[string]any{"presence": "online"}, 403, "M_FORBIDDEN"},
		{"unknown state", http.MethodPut, presencePath(alice.UserID), alice.AccessToken, map[string]any{"presence": "busy"}, 400, "M_BAD_JSON"},
		{"no state", http.MethodPut, presencePath(alice.UserID), alice.AccessToken, map[string]any{"status_msg": "hi"}, 400, "M_BAD_JSON"},
		{"status not a string", http.MethodPut, presencePath(alice.UserID), alice.AccessToken, map[string]any{"presence": "online", "status_msg": 5}, 400, "M_BAD_JSON"},
		{"not JSON", http.MethodPut, presencePath(alice.UserID), alice.AccessToken, "{", 400, "M_NOT_JSON"},
		{"not a user ID", http.MethodGet, presencePath("alice"), alice.AccessToken, nil, 400, "M_INVALID_PARAM"},
		{"sharing no room", http.MethodGet, presencePath(alice.UserID), carol.AccessToken, nil, 403, "M_FORBIDDEN"},
		{"unknown user", http.MethodGet, presencePath("@nobody:hearth.test"), alice.AccessToken, nil, 404, "M_NOT_FOUND"},
		{"remote user", http.MethodGet, presencePath("@someone:elsewhere.test"), alice.AccessToken, nil, 404, "M_NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, code := errcodeOf(t, s, tc.method, tc.path, tc.token, tc.body)
			require.Equal(t, tc.status, status)
			require.Equal(t, tc.errcode, code)
		})
	}
	// A user who never set any presence is offline to those sharing a room.
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: presencePath(bob.UserID), Token: alice.AccessToken})
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "offline", r.Body["presence"])
}
