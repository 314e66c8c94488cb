package clientapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func TestDeviceListsFollowRoomsAndDevices(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := newKeysDevice(t, s, "alice")
	bob := newKeysDevice(t, s, "bob")
	carol := newKeysDevice(t, s, "carol")
	room := alice.createRoom(t, s)
	bob.join(t, s, room)
	_, t0 := bob.syncLists(t, s, "")
	_, a0 := alice.syncLists(t, s, "")

	// Alice's new keys: Bob, who shares a room with her, and Alice herself
	// hear of them; Carol, who shares none, does not.
	_, c0 := carol.syncLists(t, s, "")
	alice.upload(t, s, map[string]any{"device_keys": alice.deviceKeys(t)})
	lists, t1 := bob.syncLists(t, s, t0)
	require.Contains(t, lists.Changed, string(alice.user))
	lists, _ = alice.syncLists(t, s, a0)
	require.Contains(t, lists.Changed, string(alice.user))
	lists, _ = carol.syncLists(t, s, c0)
	require.NotContains(t, lists.Changed, string(alice.user))
	r := bob.do(t, s, http.MethodGet, "/_matrix/client/v3/keys/changes?from="+t0+"&to="+t1, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	require.Contains(t, r.Body["changed"], string(alice.user))
	r = bob.do(t, s, http.MethodGet, "/_matrix/client/v3/keys/changes?from="+t1+"&to="+t1, nil)
	require.Empty(t, r.Body["changed"])

	// Carol joins: Bob must fetch her keys. She leaves: she is gone from
	// Bob's lists.
	carol.join(t, s, room)
	lists, t2 := bob.syncLists(t, s, t1)
	require.Contains(t, lists.Changed, string(carol.user))
	lists, _ = carol.syncLists(t, s, c0)
	require.Contains(t, lists.Changed, string(bob.user), "a joiner hears of everyone in the room")
	carol.leave(t, s, room)
	lists, t3 := bob.syncLists(t, s, t2)
	require.Contains(t, lists.Left, string(carol.user))
	require.NotContains(t, lists.Changed, string(carol.user))

	// Alice's second device, then its deletion, are announced; the deleted
	// device's keys and pending messages go with it.
	alice2 := alice.login(t, s)
	alice2.upload(t, s, map[string]any{"device_keys": alice2.deviceKeys(t), "one_time_keys": alice2.oneTimeKeys(t, 0, 3)})
	r = bob.do(t, s, http.MethodPut, "/_matrix/client/v3/sendToDevice/m.test/t1", map[string]any{"messages": map[string]any{
		string(alice.user): map[string]any{string(alice2.device): map[string]any{"hello": 1}},
	}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	lists, t4 := bob.syncLists(t, s, t3)
	require.Contains(t, lists.Changed, string(alice.user))
	deleteDevice(t, s, alice, alice2)
	lists, _ = bob.syncLists(t, s, t4)
	require.Contains(t, lists.Changed, string(alice.user))
	r = bob.do(t, s, http.MethodPost, keysQuery, map[string]any{"device_keys": map[string]any{string(alice.user): []string{}}})
	require.NotContains(t, r.Body["device_keys"].(map[string]any)[string(alice.user)], string(alice2.device))
	var left int
	require.NoError(t, s.App.Pool.QueryRow(context.Background(),
		`SELECT (SELECT count(*) FROM e2e_to_device WHERE device_id = $1) + (SELECT count(*) FROM e2e_one_time_keys WHERE device_id = $1)`,
		string(alice2.device)).Scan(&left))
	require.Zero(t, left)
}

// deleteDevice deletes victim, a device of owner's user, with UIA.
func deleteDevice(t testing.TB, s *servertest.Server, owner, victim *keysDevice) {
	t.Helper()
	path := "/_matrix/client/v3/devices/" + string(victim.device)
	r := owner.do(t, s, http.MethodDelete, path, map[string]any{})
	require.Equal(t, http.StatusUnauthorized, r.Status, string(r.Raw))
	r = owner.do(t, s, http.MethodDelete, path, map[string]any{"auth": map[string]any{
		"type": "m.login.password", "session": r.Body["session"], "password": "password-" + owner.user.Localpart(),
		"identifier": map[string]any{"type": "m.id.user", "user": owner.user.Localpart()},
	}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
}

func TestDeviceListChangeWakesWaitingSync(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := newKeysDevice(t, s, "alice")
	bob := newKeysDevice(t, s, "bob")
	room := alice.createRoom(t, s)
	bob.join(t, s, room)
	_, since := bob.syncLists(t, s, "")

	done := make(chan servertest.Response, 1)
	start := time.Now()
	go func() {
		done <- s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/sync?timeout=20000&since=" + since, Token: bob.token})
	}()
	time.Sleep(200 * time.Millisecond) // let it wait; waking early would still pass
	alice.upload(t, s, map[string]any{"device_keys": alice.deviceKeys(t)})
	select {
	case r := <-done:
		require.Less(t, time.Since(start), 10*time.Second)
		require.Contains(t, r.Body["device_lists"].(map[string]any)["changed"], string(alice.user))
	case <-time.After(15 * time.Second):
		t.Fatal("sync was not woken")
	}
}

func TestDeviceListsCrossSigningChanges(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := newKeysDevice(t, s, "alice")
	bob := newKeysDevice(t, s, "bob")
	room := alice.createRoom(t, s)
	bob.join(t, s, room)
	alice.upload(t, s, map[string]any{"device_keys": alice.deviceKeys(t)})
	_, b0 := bob.syncLists(t, s, "")

	// New master and self-signing keys concern everyone sharing a room.
	acs, bcs := newCrossSigning(t), newCrossSigning(t)
	require.Equal(t, http.StatusOK, alice.do(t, s, http.MethodPost, signingUpload, acs.upload(t, alice.user)).Status)
	lists, b1 := bob.syncLists(t, s, b0)
	require.Contains(t, lists.Changed, string(alice.user))

	// A signature of another user's master key concerns its signer alone.
	require.Equal(t, http.StatusOK, bob.do(t, s, http.MethodPost, signingUpload, bcs.upload(t, bob.user)).Status)
	_, a1 := alice.syncLists(t, s, "")
	_, b1 = bob.syncLists(t, s, b1)
	r := bob.do(t, s, http.MethodPost, signaturesUpload, map[string]any{string(alice.user): map[string]any{
		acs.master.pub: bcs.user.sign(t, acs.key(t, alice.user, "master", acs.master), bob.user, "ed25519:"+bcs.user.pub),
	}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	require.Empty(t, r.Body["failures"])
	lists, _ = bob.syncLists(t, s, b1)
	require.Equal(t, []string{string(alice.user)}, lists.Changed)
	lists, _ = alice.syncLists(t, s, a1)
	require.Empty(t, lists.Changed)
}
