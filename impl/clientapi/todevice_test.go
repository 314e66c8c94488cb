package clientapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// sendToDevice sends one to-device message per (user, device) as d.
func (d *keysDevice) sendToDevice(t testing.TB, s *servertest.Server, txn string, messages map[string]map[string]any) {
	t.Helper()
	r := d.do(t, s, http.MethodPut, "/_matrix/client/v3/sendToDevice/m.test/"+txn, map[string]any{"messages": messages})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
}

// toDevice syncs as d from since and returns the to-device events' "n"
// and senders, and the next token.
func (d *keysDevice) toDevice(t testing.TB, s *servertest.Server, since string) ([]int, string) {
	t.Helper()
	body := syncRaw(t, s, d.token, since)
	var ns []int
	for _, e := range body["to_device"].(map[string]any)["events"].([]any) {
		ev := e.(map[string]any)
		require.Equal(t, "m.test", ev["type"])
		require.NotEmpty(t, ev["sender"])
		ns = append(ns, int(ev["content"].(map[string]any)["n"].(float64)))
	}
	return ns, body["next_batch"].(string)
}

func TestToDeviceDeliveryAndAcknowledgement(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := newKeysDevice(t, s, "alice")
	bob := newKeysDevice(t, s, "bob")
	bob2 := bob.login(t, s)
	_, since := bob.toDevice(t, s, "")
	_, since2 := bob2.toDevice(t, s, "")

	one := func(n int) map[string]map[string]any {
		return map[string]map[string]any{string(bob.user): {string(bob.device): map[string]any{"n": n}}}
	}
	alice.sendToDevice(t, s, "a", one(1))
	alice.sendToDevice(t, s, "a", one(100)) // the same transaction: not sent again
	alice.sendToDevice(t, s, "b", one(2))
	alice.sendToDevice(t, s, "c", map[string]map[string]any{
		string(bob.user):           {"*": map[string]any{"n": 3}},
		"@nobody:hearth.test":      {"DEV": map[string]any{"n": 0}},
		"@carol:elsewhere.example": {"DEV": map[string]any{"n": 0}},
	})
	got, next := bob.toDevice(t, s, since)
	require.Equal(t, []int{1, 2, 3}, got, "in order, once each")
	got, _ = bob2.toDevice(t, s, since2)
	require.Equal(t, []int{3}, got, "* reaches every device")

	// A retried sync (its answer lost) gets the messages again; the next
	// token acknowledges them.
	got, _ = bob.toDevice(t, s, since)
	require.Equal(t, []int{1, 2, 3}, got)
	got, _ = bob.toDevice(t, s, next)
	require.Empty(t, got)
}

func TestToDeviceCapPerSync(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) { c.E2EE.ToDeviceLimit = 10 }))
	alice := newKeysDevice(t, s, "alice")
	bob := newKeysDevice(t, s, "bob")
	_, since := bob.toDevice(t, s, "")
	for i := range 25 {
		alice.sendToDevice(t, s, fmt.Sprint(i), map[string]map[string]any{string(bob.user): {string(bob.device): map[string]any{"n": i}}})
	}
	// A capped sync retried (its answer lost) hands out the same messages.
	first, _ := bob.toDevice(t, s, since)
	again, _ := bob.toDevice(t, s, since)
	require.Equal(t, first, again)
	var all []int
	for range 3 {
		got, next := bob.toDevice(t, s, since)
		require.LessOrEqual(t, len(got), 10)
		all = append(all, got...)
		since = next
	}
	want := make([]int, 25)
	for i := range want {
		want[i] = i
	}
	require.Equal(t, want, all, "every message once, in order, across capped syncs")
	got, _ := bob.toDevice(t, s, since)
	require.Empty(t, got)
}

func TestToDeviceWakesWaitingSync(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := newKeysDevice(t, s, "alice")
	bob := newKeysDevice(t, s, "bob")
	_, since := bob.toDevice(t, s, "")
	done := make(chan servertest.Response, 1)
	start := time.Now()
	go func() {
		done <- s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/sync?timeout=20000&since=" + since, Token: bob.token})
	}()
	time.Sleep(200 * time.Millisecond) // let it wait; waking early would still pass
	alice.sendToDevice(t, s, "wake", map[string]map[string]any{string(bob.user): {string(bob.device): map[string]any{"n": 7}}})
	select {
	case r := <-done:
		require.Less(t, time.Since(start), 10*time.Second)
		require.Len(t, r.Body["to_device"].(map[string]any)["events"], 1)
	case <-time.After(15 * time.Second):
		t.Fatal("sync was not woken")
	}
}
