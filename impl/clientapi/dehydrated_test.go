package clientapi_test

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

const dehydratedPath = "/_matrix/client/unstable/org.matrix.msc3814.v1/dehydrated_device"

func TestDehydratedDevice(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := newKeysDevice(t, s, "alice")
	bob := newKeysDevice(t, s, "bob")

	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/versions"})
	require.Equal(t, true, r.Body["unstable_features"].(map[string]any)["org.matrix.msc3814"])

	r = alice.do(t, s, http.MethodGet, dehydratedPath, nil)
	require.Equal(t, http.StatusNotFound, r.Status)
	require.Equal(t, "M_NOT_FOUND", r.Errcode())

	// The dehydrated device: an ID from its curve25519 key, its keys, its
	// pickle.
	dehydrate := func(name string) *keysDevice {
		key := newKeyPair(t)
		d := &keysDevice{user: alice.user, device: id.DeviceID(base64.RawStdEncoding.EncodeToString([]byte(name))), token: alice.token, key: key}
		r := alice.do(t, s, http.MethodPut, dehydratedPath, map[string]any{
			"device_id": string(d.device), "initial_device_display_name": "Dehydrated device",
			"device_data":   map[string]any{"algorithm": "org.matrix.msc3814.v1.olm", "device_pickle": "pickle-" + name},
			"device_keys":   d.deviceKeys(t),
			"one_time_keys": d.oneTimeKeys(t, 0, 2),
		})
		require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
		require.Equal(t, string(d.device), r.Body["device_id"])
		return d
	}
	first := dehydrate("first")
	r = alice.do(t, s, http.MethodGet, dehydratedPath, nil)
	require.Equal(t, string(first.device), r.Body["device_id"])
	require.Equal(t, "pickle-first", r.Body["device_data"].(map[string]any)["device_pickle"])

	// Others see it as one of Alice's devices and can send it messages.
	r = bob.do(t, s, http.MethodPost, keysQuery, map[string]any{"device_keys": map[string]any{string(alice.user): []string{}}})
	require.Contains(t, r.Body["device_keys"].(map[string]any)[string(alice.user)], string(first.device))
	for i := range 3 {
		bob.sendToDevice(t, s, "d"+string(rune('0'+i)), map[string]map[string]any{string(alice.user): {string(first.device): map[string]any{"n": i}}})
	}

	events := func(device id.DeviceID, next *string) servertest.Response {
		body := map[string]any{}
		if next != nil {
			body["next_batch"] = *next
		}
		return alice.do(t, s, http.MethodPost, dehydratedPath+"/"+string(device)+"/events", body)
	}
	r = events(first.device, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	require.Len(t, r.Body["events"], 3)
	next := r.Body["next_batch"].(string)
	r = events(first.device, &next)
	require.Empty(t, r.Body["events"], "the last batch is empty")
	require.Equal(t, next, r.Body["next_batch"])
	r = events(first.device, nil)
	require.Len(t, r.Body["events"], 3, "reading acknowledges nothing: a rehydration can start over")
	r = events("SOMEOTHER", nil)
	require.Equal(t, http.StatusForbidden, r.Status)
	bad := "garbage"
	r = events(first.device, &bad)
	require.Equal(t, http.StatusBadRequest, r.Status)

	// A new dehydrated device replaces the first, which is gone with its
	// keys and messages.
	second := dehydrate("second")
	r = bob.do(t, s, http.MethodPost, keysQuery, map[string]any{"device_keys": map[string]any{string(alice.user): []string{}}})
	devices := r.Body["device_keys"].(map[string]any)[string(alice.user)].(map[string]any)
	require.NotContains(t, devices, string(first.device))
	require.Contains(t, devices, string(second.device))
	r = events(first.device, nil)
	require.Equal(t, http.StatusForbidden, r.Status)

	// Its ID cannot be one of Alice's other devices.
	r = alice.do(t, s, http.MethodPut, dehydratedPath, map[string]any{
		"device_id": string(alice.device), "device_data": map[string]any{"algorithm": "x"}, "device_keys": alice.deviceKeys(t),
	})
	require.Equal(t, http.StatusBadRequest, r.Status, string(r.Raw))
	r = alice.do(t, s, http.MethodGet, dehydratedPath, nil)
	require.Equal(t, string(second.device), r.Body["device_id"], "a refused upload leaves the dehydrated device as it was")

	r = alice.do(t, s, http.MethodDelete, dehydratedPath, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	require.Equal(t, string(second.device), r.Body["device_id"])
	r = alice.do(t, s, http.MethodDelete, dehydratedPath, nil)
	require.Equal(t, http.StatusNotFound, r.Status)
	r = alice.do(t, s, http.MethodGet, "/_matrix/client/v3/devices", nil)
	require.Len(t, r.Body["devices"], 1)
}
