package clientapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func typingPath(room, user string) string {
	return "/_matrix/client/v3/rooms/" + url.PathEscape(room) + "/typing/" + url.PathEscape(user)
}

func typers(t *testing.T, resp *mautrix.RespSync, room string) []any {
	t.Helper()
	evs := ephemeralOf(resp, idRoom(room), "m.typing")
	require.Len(t, evs, 1, "one m.typing event")
	ids, _ := evs[0]["user_ids"].([]any)
	return ids
}

// TestTypingWakesSyncAndExpires: a typing notice wakes the other member's
// waiting sync, stopping is told too, and a notice that runs out is
// removed by the sweeper with nobody asking.
func TestTypingWakesSyncAndExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoInARoom(t, s)
	settle(t, alice)
	since := settle(t, bob)

	// Typing wakes bob.
	poll := longPoll(bob, since)
	_, err := alice.UserTyping(ctx, room, true, 5*time.Second)
	require.NoError(t, err)
	resp := woken(t, poll)
	require.Equal(t, []any{string(alice.UserID)}, typers(t, resp, string(room)))

	// Typing again only extends the notice: nobody is woken for it.
	_, err = alice.UserTyping(ctx, room, true, 5*time.Second)
	require.NoError(t, err)
	quiet := syncNow(t, bob, resp.NextBatch)
	require.Empty(t, ephemeralOf(quiet, room, "m.typing"))

	// An initial sync shows who types now.
	require.Equal(t, []any{string(alice.UserID)}, typers(t, syncNow(t, bob, ""), string(room)))

	// The notice runs out on its own: the sweeper removes it and wakes bob.
	poll = longPoll(bob, quiet.NextBatch)
	s.Clock.Advance(6 * time.Second)
	resp = woken(t, poll)
	require.Empty(t, typers(t, resp, string(room)), "nobody types any more")
	require.Empty(t, ephemeralOf(syncNow(t, bob, ""), room, "m.typing"), "an initial sync leaves out rooms nobody types in")

	// Stopping is told at once.
	_, err = bob.UserTyping(ctx, room, true, 30*time.Second)
	require.NoError(t, err)
	since = syncNow(t, alice, "").NextBatch
	poll = longPoll(alice, since)
	_, err = bob.UserTyping(ctx, room, false, 0)
	require.NoError(t, err)
	require.Empty(t, typers(t, woken(t, poll), string(room)))
}

// TestTypingExpiresOnceAcrossProcesses: two processes sweep the same
// notices; each room is told once, by whichever deleted the rows.
func TestTypingExpiresOnceAcrossProcesses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := servertest.Config(t)
	a := servertest.Start(t, cfg)
	b := servertest.Start(t, cfg)
	alice, bob, room := twoInARoom(t, a)
	settle(t, alice)
	bobOnB := b.Client(t, bob.UserID, bob.AccessToken)
	since := settle(t, bobOnB)

	// Each test process has its own clock, started a moment apart: the
	// notice lasts long enough for both to agree it is live.
	_, err := alice.UserTyping(ctx, room, true, 30*time.Second)
	require.NoError(t, err)
	resp := woken(t, longPoll(bobOnB, since))
	require.Equal(t, []any{string(alice.UserID)}, typers(t, resp, string(room)))

	poll := longPoll(bobOnB, resp.NextBatch)
	a.Clock.Advance(31 * time.Second)
	b.Clock.Advance(31 * time.Second)
	resp = woken(t, poll)
	require.Empty(t, typers(t, resp, string(room)))
	// Both sweepers have run by now; the expiry took one position.
	time.Sleep(2500 * time.Millisecond)
	after := syncNow(t, bobOnB, resp.NextBatch)
	require.Equal(t, resp.NextBatch, after.NextBatch, "the other sweeper found nothing to announce")
}

func TestTypingBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoInARoom(t, s)
	carol := s.Register(t, "carol", "carolpass1")
	other, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	require.NoError(t, err)

	for _, tc := range []struct {
		name, room, user, token string
		body                    any
		status                  int
		errcode                 string
	}{
		{"for someone else", string(room), string(bob.UserID), alice.AccessToken, map[string]any{"typing": true, "timeout": 1000}, 403, "M_FORBIDDEN"},
		{"not joined", string(room), string(carol.UserID), carol.AccessToken, map[string]any{"typing": true, "timeout": 1000}, 403, "M_FORBIDDEN"},
		{"unknown room", "!nowhere:hearth.test", string(alice.UserID), alice.AccessToken, map[string]any{"typing": true}, 403, "M_FORBIDDEN"},
		{"not a room ID", "nowhere", string(alice.UserID), alice.AccessToken, map[string]any{"typing": true}, 400, ""},
		{"typing not a boolean", string(room), string(alice.UserID), alice.AccessToken, map[string]any{"typing": "yes"}, 400, "M_BAD_JSON"},
		{"typing missing", string(room), string(alice.UserID), alice.AccessToken, map[string]any{"timeout": 1000}, 400, "M_BAD_JSON"},
		{"negative timeout", string(room), string(alice.UserID), alice.AccessToken, map[string]any{"typing": true, "timeout": -5}, 400, "M_INVALID_PARAM"},
		{"not JSON", string(room), string(alice.UserID), alice.AccessToken, "{typing", 400, "M_NOT_JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, code := errcodeOf(t, s, http.MethodPut, typingPath(tc.room, tc.user), tc.token, tc.body)
			require.Equal(t, tc.status, status)
			if tc.errcode != "" {
				require.Equal(t, tc.errcode, code)
			}
		})
	}
	_, err = alice.InviteUser(ctx, other.RoomID, &mautrix.ReqInviteUser{UserID: bob.UserID})
	require.NoError(t, err)
	status, code := errcodeOf(t, s, http.MethodPut, typingPath(string(other.RoomID), string(bob.UserID)), bob.AccessToken, map[string]any{"typing": true})
	require.Equal(t, 403, status, "an invite is not a join")
	require.Equal(t, "M_FORBIDDEN", code)
}
