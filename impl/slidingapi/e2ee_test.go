//go:build goolm

package slidingapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/cryptotest"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// encryptionRequest is Element X's encryption connection: to_device and
// e2ee only, with to_device's own since.
func encryptionRequest(since string) map[string]any {
	td := map[string]any{"enabled": true}
	if since != "" {
		td["since"] = since
	}
	return map[string]any{
		"conn_id":    "encryption",
		"extensions": map[string]any{"to_device": td, "e2ee": map[string]any{"enabled": true}},
	}
}

// feed hands a sliding sync response's extensions to the olm machine in
// the /sync shape it reads.
func feed(t *testing.T, c *cryptotest.Client, g gjson.Result) {
	t.Helper()
	shaped := fmt.Sprintf(`{"next_batch":%q,"to_device":{"events":%s},"device_lists":%s,
		"device_one_time_keys_count":%s,"device_unused_fallback_key_types":%s}`,
		g.Get("pos").Str, orEmpty(g.Get("extensions.to_device.events").Raw, "[]"),
		orEmpty(g.Get("extensions.e2ee.device_lists").Raw, "{}"),
		orEmpty(g.Get("extensions.e2ee.device_one_time_keys_count").Raw, "{}"),
		orEmpty(g.Get("extensions.e2ee.device_unused_fallback_key_types").Raw, "[]"))
	var resp mautrix.RespSync
	require.NoError(t, json.Unmarshal([]byte(shaped), &resp))
	c.Mach.ProcessSyncResponse(context.Background(), &resp, "")
}

func orEmpty(raw, empty string) string {
	if raw == "" {
		return empty
	}
	return raw
}

// TestSlidingSyncEncryption runs Element X's two connections against a
// sender's real olm machine: the encryption connection carries the megolm
// session over olm to-device messages, the room list connection the
// encrypted messages, which decrypt, each once and in order.
func TestSlidingSyncEncryption(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := cryptotest.New(t, s.Register(t, "alice", "wonderland1"))
	bob := cryptotest.New(t, s.Register(t, "bob", "builder123"))
	room := cryptotest.EncryptedRoom(t, alice, bob)

	list := newConn(t, s, bob.Cli, unstablePath)
	req := listRequest([][2]int{{0, 9}})
	req["room_subscriptions"] = map[string]any{string(room): map[string]any{"timeline_limit": 20, "required_state": elementXState}}
	list.sync(req, 0)
	enc := newConn(t, s, bob.Cli, unstablePath)
	first := enc.sync(encryptionRequest(""), 0)
	require.True(t, first.Get("extensions.e2ee.device_one_time_keys_count.signed_curve25519").Exists())
	feed(t, bob, first)
	since := first.Get("extensions.to_device.next_batch").Str

	var bodies []string
	for i := range 3 {
		alice.SendEncrypted(room, fmt.Sprintf("secret %d", i))
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(bodies) < 3 && time.Now().Before(deadline) {
		g := enc.sync(encryptionRequest(since), 200*time.Millisecond)
		feed(t, bob, g)
		since = g.Get("extensions.to_device.next_batch").Str
		for _, e := range roomsOf(list.sync(req, 200*time.Millisecond))[room].Get("timeline").Array() {
			var evt event.Event
			require.NoError(t, json.Unmarshal([]byte(e.Raw), &evt))
			if evt.Type != event.EventEncrypted {
				continue
			}
			evt.RoomID = room
			require.NoError(t, evt.Content.ParseRaw(evt.Type))
			dec, err := bob.Mach.DecryptMegolmEvent(ctx, &evt)
			require.NoError(t, err, "bob has the session by the time the message comes")
			bodies = append(bodies, dec.Content.AsMessage().Body)
		}
	}
	require.Equal(t, []string{"secret 0", "secret 1", "secret 2"}, bodies)
}

// TestSlidingSyncToDevice: to-device messages come in order, once, with
// to_device's own since; a response that was lost comes again.
func TestSlidingSyncToDevice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder123")
	send := func(n int) {
		_, err := alice.SendToDevice(ctx, event.Type{Type: "org.example.ping", Class: event.ToDeviceEventType}, &mautrix.ReqSendToDevice{
			Messages: map[id.UserID]map[id.DeviceID]*event.Content{bob.UserID: {bob.DeviceID: {Raw: map[string]any{"n": n}}}},
		})
		require.NoError(t, err)
	}
	numbers := func(g gjson.Result) []int64 {
		var out []int64
		for _, e := range g.Get("extensions.to_device.events").Array() {
			require.Equal(t, string(alice.UserID), e.Get("sender").Str)
			out = append(out, e.Get("content.n").Int())
		}
		return out
	}
	enc := newConn(t, s, bob, unstablePath)
	enc.sync(encryptionRequest(""), 0)
	for i := range 3 {
		send(i)
	}
	g := enc.sync(encryptionRequest(""), time.Second)
	require.Equal(t, []int64{0, 1, 2}, numbers(g))
	lost := g.Get("extensions.to_device.next_batch").Str

	// The client never saw that response: it asks again from where it was,
	// and gets the same messages.
	again := enc.sync(encryptionRequest(""), 0)
	require.Equal(t, []int64{0, 1, 2}, numbers(again))

	send(3)
	g = enc.sync(encryptionRequest(again.Get("extensions.to_device.next_batch").Str), time.Second)
	require.Equal(t, []int64{3}, numbers(g), "acknowledged messages do not come again")
	g = enc.sync(encryptionRequest(g.Get("extensions.to_device.next_batch").Str), 100*time.Millisecond)
	require.Empty(t, numbers(g))
	require.NotEmpty(t, lost)
}
