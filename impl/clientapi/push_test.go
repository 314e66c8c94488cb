package clientapi_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// TestPushDelivery: a real push gateway gets the notifications of
// messages, mentions (m.mentions, and the display name through a user
// rule), invites and encrypted one-to-one messages, with counts,
// priorities, tweaks and the pusher's data; never the sender's own, and
// each once.
func TestPushDelivery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pushServer(t)
	g := newGateway(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")
	dave := s.Register(t, "dave", "davepass12")
	require.NoError(t, bob.SetDisplayName(ctx, "Bob Builder"))
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat", Name: "Garden"})
	require.NoError(t, err)
	room := created.RoomID
	for _, c := range []*mautrix.Client{bob, carol} {
		_, err := c.JoinRoomByID(ctx, room)
		require.NoError(t, err)
	}
	setPusher(t, s, alice, g, "alice-key", nil)
	setPusher(t, s, bob, g, "bob-key", map[string]any{"custom": "kept"})
	setPusher(t, s, carol, g, "carol-key", map[string]any{"format": "event_id_only"})
	setPusher(t, s, dave, g, "dave-key", nil)

	// A plain message in a group: low priority, the full event, the
	// pusher's data without its url.
	hello, err := alice.SendText(ctx, room, "hello garden")
	require.NoError(t, err)
	n := g.forEvent(t, string(hello.EventID), "bob-key")
	require.Equal(t, "m.room.message", n.Type)
	require.Equal(t, string(alice.UserID), n.Sender)
	require.Equal(t, string(room), n.RoomID)
	require.Equal(t, "Garden", n.RoomName)
	require.Equal(t, "hello garden", n.Content["body"])
	require.Equal(t, "low", n.Prio)
	require.Equal(t, 1, n.Counts["unread"])
	require.Len(t, n.Devices, 1)
	require.Equal(t, "org.hearth.test", n.Devices[0].AppID)
	require.Equal(t, map[string]any{"custom": "kept"}, n.Devices[0].Data)
	require.NotZero(t, n.Devices[0].PushkeyTS)
	require.Empty(t, n.Devices[0].Tweaks)
	// event_id_only: the IDs and counts, nothing of the event.
	c := g.forEvent(t, string(hello.EventID), "carol-key")
	require.Equal(t, string(room), c.RoomID)
	require.Equal(t, 1, c.Counts["unread"])
	for _, k := range []string{"type", "sender", "content", "sender_display_name", "room_name"} {
		require.NotContains(t, c.raw, k)
	}
	require.Equal(t, map[string]any{"format": "event_id_only"}, c.Devices[0].Data)

	// m.mentions: a highlight with a sound, high priority.
	mention, err := alice.SendMessageEvent(ctx, room, event.EventMessage, map[string]any{
		"msgtype": "m.text", "body": "bob, look", "m.mentions": map[string]any{"user_ids": []string{string(bob.UserID)}}})
	require.NoError(t, err)
	n = g.forEvent(t, string(mention.EventID), "bob-key")
	require.Equal(t, "high", n.Prio)
	require.Equal(t, map[string]any{"highlight": true, "sound": "default"}, n.Devices[0].Tweaks)
	require.Equal(t, 2, n.Counts["unread"])
	require.Equal(t, "low", g.forEvent(t, string(mention.EventID), "carol-key").Prio, "carol was not mentioned")

	// The display name, through bob's own rule (v1.17 retired the default
	// one; the condition stays).
	r := s.Do(t, servertest.Request{Method: http.MethodPut, Path: pushRulesPath("override/my-name"), Token: bob.AccessToken,
		Body: map[string]any{"conditions": []any{map[string]any{"kind": "contains_display_name"}},
			"actions": []any{"notify", map[string]any{"set_tweak": "highlight"}}}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	named, err := alice.SendText(ctx, room, "Is that you, bob builder?")
	require.NoError(t, err)
	n = g.forEvent(t, string(named.EventID), "bob-key")
	require.Equal(t, "high", n.Prio)
	require.Equal(t, true, n.Devices[0].Tweaks["highlight"])
	require.Equal(t, "low", g.forEvent(t, string(named.EventID), "carol-key").Prio)

	// An invite reaches the invitee, who is not in the room yet.
	_, err = alice.InviteUser(ctx, room, &mautrix.ReqInviteUser{UserID: dave.UserID})
	require.NoError(t, err)
	var invite notification
	eventually(t, func() bool {
		for _, x := range g.received() {
			if x.Devices[0].Pushkey == "dave-key" {
				invite = x
				return true
			}
		}
		return false
	})
	require.Equal(t, "m.room.member", invite.Type)
	require.Equal(t, "invite", invite.Content["membership"])
	require.NotNil(t, invite.UserIsTarget)
	require.True(t, *invite.UserIsTarget)
	require.Equal(t, "high", invite.Prio)

	// An encrypted message in a room of two: high priority with a sound.
	dm, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "trusted_private_chat", Invite: []id.UserID{bob.UserID}, IsDirect: true})
	require.NoError(t, err)
	_, err = bob.JoinRoomByID(ctx, dm.RoomID)
	require.NoError(t, err)
	secret, err := alice.SendMessageEvent(ctx, dm.RoomID, event.EventEncrypted, map[string]any{
		"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEnAC", "device_id": "ALICEDEV", "sender_key": "k", "session_id": "s"})
	require.NoError(t, err)
	n = g.forEvent(t, string(secret.EventID), "bob-key")
	require.Equal(t, "m.room.encrypted", n.Type)
	require.Equal(t, "high", n.Prio)
	require.Equal(t, map[string]any{"sound": "default"}, n.Devices[0].Tweaks)
	require.Equal(t, "AwgAEnAC", n.Content["ciphertext"])

	// Once each; nothing for alice's own events, nor for member events of
	// others.
	time.Sleep(300 * time.Millisecond)
	seen := map[string]int{}
	for _, x := range g.received() {
		seen[x.EventID+" "+x.Devices[0].Pushkey]++
		require.NotEqual(t, "alice-key", x.Devices[0].Pushkey, "alice was notified of %s", x.Type)
		require.False(t, x.Type == "m.room.member" && x.Devices[0].Pushkey != "dave-key" && x.Type != "" && x.Content["membership"] != "invite",
			"member event notified: %+v", x)
	}
	for k, v := range seen {
		require.Equal(t, 1, v, k)
	}
}

// TestPushRetriesOnce: a gateway that fails twice still gets every
// notification, each once, from the durable queue's retries.
func TestPushRetriesOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pushServer(t, servertest.WithConfig(func(c *config.Config) { c.Push.RetryDelay = 50 * time.Millisecond }))
	g := newGateway(t)
	g.failures = 2
	alice, bob, room := twoInARoom(t, s)
	setPusher(t, s, bob, g, "bob-key", nil)
	var sent []string
	for i := range 3 {
		resp, err := alice.SendText(ctx, room, fmt.Sprintf("message %d", i))
		require.NoError(t, err)
		sent = append(sent, string(resp.EventID))
	}
	for _, ev := range sent {
		g.forEvent(t, ev, "bob-key")
	}
	time.Sleep(300 * time.Millisecond)
	got := map[string]int{}
	for _, n := range g.received() {
		got[n.EventID]++
	}
	require.Len(t, got, 3)
	for ev, times := range got {
		require.Equal(t, 1, times, ev)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	require.Equal(t, 5, g.attempts, "three deliveries and two failures")
}

// TestPushRejectedPushkey: a pushkey the gateway rejects loses its pusher.
func TestPushRejectedPushkey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pushServer(t)
	g := newGateway(t)
	g.reject["stale-key"] = true
	alice, bob, room := twoInARoom(t, s)
	setPusher(t, s, bob, g, "stale-key", nil)
	setPusher(t, s, bob, g, "good-key", nil)
	resp, err := alice.SendText(ctx, room, "anyone there?")
	require.NoError(t, err)
	g.forEvent(t, string(resp.EventID), "stale-key")
	g.forEvent(t, string(resp.EventID), "good-key")
	eventually(t, func() bool {
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/pushers", Token: bob.AccessToken})
		pushers, _ := r.Body["pushers"].([]any)
		return len(pushers) == 1 && pushers[0].(map[string]any)["pushkey"] == "good-key"
	})
}

// TestPushersGoWithTheirDevice: logging a device out removes the pushers
// it set, and only those.
func TestPushersGoWithTheirDevice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pushServer(t)
	g := newGateway(t)
	alice := s.Register(t, "alice", "wonderland1")
	login, err := alice.Login(ctx, &mautrix.ReqLogin{
		Type: mautrix.AuthTypePassword, Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: "alice"},
		Password: "wonderland1",
	})
	require.NoError(t, err)
	phone := s.Client(t, alice.UserID, login.AccessToken)
	setPusher(t, s, alice, g, "laptop-key", nil)
	setPusher(t, s, phone, g, "phone-key", nil)
	pushkeys := func() []string {
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/pushers", Token: alice.AccessToken})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		var out []string
		for _, p := range r.Body["pushers"].([]any) {
			out = append(out, p.(map[string]any)["pushkey"].(string))
		}
		slices.Sort(out)
		return out
	}
	require.Equal(t, []string{"laptop-key", "phone-key"}, pushkeys())
	_, err = phone.Logout(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"laptop-key"}, pushkeys())
}

// TestPushDeliverySurvivesRestart: events sent while no process delivers
// are pushed by the next one that does, from the durable cursor, and
// nothing is pushed twice.
func TestPushDeliverySurvivesRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := servertest.Config(t)
	allowLoopbackGateways(&cfg)
	g := newGateway(t)
	first := servertest.Start(t, cfg)
	alice, bob, room := twoInARoom(t, first)
	setPusher(t, first, bob, g, "bob-key", nil)
	before, err := alice.SendText(ctx, room, "before")
	require.NoError(t, err)
	g.forEvent(t, string(before.EventID), "bob-key")
	require.NoError(t, first.App.Close(ctx))

	// A process that does not deliver: its events wait.
	quiet := cfg
	quiet.Push.Deliver = false
	second := servertest.Start(t, quiet)
	down, err := second.Client(t, alice.UserID, alice.AccessToken).SendText(ctx, room, "while nobody delivers")
	require.NoError(t, err)
	time.Sleep(500 * time.Millisecond)
	for _, x := range g.received() {
		require.NotEqual(t, string(down.EventID), x.EventID)
	}

	// The next delivering process picks them up.
	servertest.Start(t, cfg)
	g.forEvent(t, string(down.EventID), "bob-key")
	n := 0
	for _, x := range g.received() {
		if x.EventID == string(before.EventID) {
			n++
		}
	}
	require.Equal(t, 1, n)
}

// TestPushGatewayAddressGuard: by default a gateway on a non-public
// address is never reached, and its notification is dropped, not retried.
func TestPushGatewayAddressGuard(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	g := newGateway(t)
	alice, bob, room := twoInARoom(t, s)
	setPusher(t, s, bob, g, "bob-key", nil)
	_, err := alice.SendText(ctx, room, "hello")
	require.NoError(t, err)
	var state string
	eventually(t, func() bool {
		err := s.App.Pool.QueryRow(ctx, "SELECT state FROM river_job WHERE kind = 'push.notify'").Scan(&state)
		return err == nil && state == "cancelled"
	})
	g.mu.Lock()
	defer g.mu.Unlock()
	require.Zero(t, g.attempts)
}
