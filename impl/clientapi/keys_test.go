package clientapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/crypto/canonicaljson"
	"maunium.net/go/mautrix/federation/signutil"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

const (
	keysUpload = "/_matrix/client/v3/keys/upload"
	keysQuery  = "/_matrix/client/v3/keys/query"
	keysClaim  = "/_matrix/client/v3/keys/claim"
)

func TestKeysUploadQueryAndReupload(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := newKeysDevice(t, s, "alice")
	bob := newKeysDevice(t, s, "bob")
	r := alice.do(t, s, http.MethodPut, "/_matrix/client/v3/devices/"+string(alice.device), map[string]any{"display_name": "laptop"})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))

	otks := alice.oneTimeKeys(t, 0, 5)
	// A key's bytes are stored as sent: odd spacing and key order survive.
	deviceKeys, err := json.Marshal(alice.deviceKeys(t))
	require.NoError(t, err)
	spaced := append([]byte(" "), deviceKeys...)
	body := fmt.Sprintf(`{"device_keys": %s, "one_time_keys": %s, "fallback_keys": {"signed_curve25519:F1": %s}}`,
		spaced, mustJSON(t, otks), mustJSON(t, alice.oneTimeKey(t, 100, true)))
	r = alice.do(t, s, http.MethodPost, keysUpload, body)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	require.Equal(t, map[string]any{"signed_curve25519": float64(5)}, r.Body["one_time_key_counts"])

	// Bob sees Alice's device keys, signature intact, with her device's name.
	r = bob.do(t, s, http.MethodPost, keysQuery, map[string]any{"device_keys": map[string]any{string(alice.user): []string{}}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	var q struct {
		DeviceKeys map[id.UserID]map[id.DeviceID]json.RawMessage `json:"device_keys"`
	}
	rawJSON(t, r, &q)
	got := q.DeviceKeys[alice.user][alice.device]
	require.NotNil(t, got)
	require.NoError(t, signutil.VerifyJSON(string(alice.user), id.KeyID(alice.keyID()), id.SigningKey(alice.key.pub), got))
	var unsigned struct {
		Unsigned struct {
			Name string `json:"device_display_name"`
		} `json:"unsigned"`
	}
	require.NoError(t, json.Unmarshal(got, &unsigned))
	require.Equal(t, "laptop", unsigned.Unsigned.Name)
	canonicalSent, _ := canonicaljson.CanonicalJSON(deviceKeys)
	var gotMap map[string]any
	require.NoError(t, json.Unmarshal(got, &gotMap))
	delete(gotMap, "unsigned")
	canonicalGot, _ := canonicaljson.CanonicalJSON(mustJSON(t, gotMap))
	require.Equal(t, string(canonicalSent), string(canonicalGot))

	// The same one-time keys again are fine; a known key ID with another
	// key is refused.
	alice.upload(t, s, map[string]any{"one_time_keys": otks})
	r = alice.do(t, s, http.MethodPost, keysUpload, map[string]any{"one_time_keys": map[string]any{
		"signed_curve25519:K0001": alice.oneTimeKey(t, 999, false),
	}})
	require.Equal(t, http.StatusBadRequest, r.Status, string(r.Raw))
	require.Equal(t, "M_INVALID_PARAM", r.Errcode())
	r = alice.upload(t, s, map[string]any{})
	require.Equal(t, map[string]any{"signed_curve25519": float64(5)}, r.Body["one_time_key_counts"])

	// Unknown local users are answered with no devices; other servers'
	// users are failures until federation is there.
	r = bob.do(t, s, http.MethodPost, keysQuery, map[string]any{"timeout": 100, "device_keys": map[string]any{
		"@nobody:hearth.test": []string{}, "@carol:elsewhere.example": []string{},
		string(alice.user): []string{"NOSUCHDEVICE"},
	}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	require.Equal(t, map[string]any{}, r.Body["device_keys"].(map[string]any)["@nobody:hearth.test"])
	require.Equal(t, map[string]any{}, r.Body["device_keys"].(map[string]any)[string(alice.user)])
	require.Contains(t, r.Body["failures"], "elsewhere.example")
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestKeysUploadRefusesBadKeys(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := newKeysDevice(t, s, "alice")
	other := newKeyPair(t)
	good := alice.deviceKeys(t)
	with := func(key string, v any) map[string]any {
		m := map[string]any{}
		for k, x := range good {
			m[k] = x
		}
		m[key] = v
		return m
	}
	for _, tc := range []struct {
		name    string
		body    map[string]any
		errcode string
	}{
		{"device keys of another user", map[string]any{"device_keys": alice.key.sign(t, with("user_id", "@bob:hearth.test"), alice.user, alice.keyID())}, "M_INVALID_PARAM"},
		{"device keys of another device", map[string]any{"device_keys": alice.key.sign(t, with("device_id", "OTHER"), alice.user, alice.keyID())}, "M_INVALID_PARAM"},
		{"device keys signed by another key", map[string]any{"device_keys": other.sign(t, with("signatures", nil), alice.user, alice.keyID())}, "M_INVALID_SIGNATURE"},
		{"device keys unsigned", map[string]any{"device_keys": with("signatures", map[string]any{})}, "M_INVALID_SIGNATURE"},
		{"device keys without the ed25519 key", map[string]any{"device_keys": alice.key.sign(t, with("keys", map[string]any{"curve25519:" + string(alice.device): "x"}), alice.user, alice.keyID())}, "M_INVALID_PARAM"},
		{"one-time key signed by another key", map[string]any{"device_keys": good, "one_time_keys": map[string]any{
			"signed_curve25519:A": other.sign(t, map[string]any{"key": "abc"}, alice.user, alice.keyID())}}, "M_INVALID_SIGNATURE"},
		{"one-time key without an algorithm", map[string]any{"device_keys": good, "one_time_keys": map[string]any{"AAAA": "abc"}}, "M_INVALID_PARAM"},
		{"signed one-time key without a key", map[string]any{"device_keys": good, "one_time_keys": map[string]any{
			"signed_curve25519:A": alice.key.sign(t, map[string]any{"nokey": "abc"}, alice.user, alice.keyID())}}, "M_BAD_JSON"},
		{"curve25519 key that is not a string", map[string]any{"device_keys": good, "one_time_keys": map[string]any{"curve25519:A": []string{"x"}}}, "M_BAD_JSON"},
		{"signed key before device keys", map[string]any{"one_time_keys": map[string]any{"signed_curve25519:A": alice.oneTimeKey(t, 1, false)}}, "M_INVALID_PARAM"},
		{"two fallback keys of one algorithm", map[string]any{"device_keys": good, "fallback_keys": map[string]any{
			"signed_curve25519:A": alice.oneTimeKey(t, 1, true), "signed_curve25519:B": alice.oneTimeKey(t, 2, true)}}, "M_INVALID_PARAM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := alice.do(t, s, http.MethodPost, keysUpload, tc.body)
			require.Equal(t, http.StatusBadRequest, r.Status, string(r.Raw))
			require.Equal(t, tc.errcode, r.Errcode(), string(r.Raw))
		})
	}
	// Nothing of the refused uploads was stored.
	r := alice.do(t, s, http.MethodPost, keysQuery, map[string]any{"device_keys": map[string]any{string(alice.user): []string{}}})
	require.Equal(t, map[string]any{}, r.Body["device_keys"].(map[string]any)[string(alice.user)])
}

func TestKeysClaimIsAtomicUnderConcurrency(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := newKeysDevice(t, s, "alice")
	bob := newKeysDevice(t, s, "bob")
	alice.upload(t, s, map[string]any{
		"device_keys":   alice.deviceKeys(t),
		"one_time_keys": alice.oneTimeKeys(t, 0, 50),
		"fallback_keys": map[string]any{"signed_curve25519:FALLBACK": alice.oneTimeKey(t, 1000, true)},
	})
	first := syncRaw(t, s, alice.token, "")
	require.Equal(t, float64(50), first["device_one_time_keys_count"].(map[string]any)["signed_curve25519"])
	require.Equal(t, []any{"signed_curve25519"}, first["device_unused_fallback_key_types"])

	const claimers = 64
	got := make([]string, claimers)
	var wg sync.WaitGroup
	for i := range claimers {
		wg.Go(func() {
			r := bob.do(t, s, http.MethodPost, keysClaim, map[string]any{"one_time_keys": map[string]any{
				string(alice.user): map[string]any{string(alice.device): "signed_curve25519"},
			}})
			if r.Status != http.StatusOK {
				t.Errorf("claim %d: %d %s", i, r.Status, r.Raw)
				return
			}
			keys, _ := r.Body["one_time_keys"].(map[string]any)[string(alice.user)].(map[string]any)[string(alice.device)].(map[string]any)
			for name := range keys {
				got[i] = name
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for _, name := range got {
		seen[name]++
	}
	require.Len(t, seen, 51, "50 one-time keys and the fallback key")
	for name, n := range seen {
		if name == "signed_curve25519:FALLBACK" {
			require.Equal(t, claimers-50, n)
			continue
		}
		require.Equal(t, 1, n, "one-time key %s handed out twice", name)
	}
	after := syncRaw(t, s, alice.token, "")
	require.Equal(t, float64(0), after["device_one_time_keys_count"].(map[string]any)["signed_curve25519"])
	require.Equal(t, []any{}, after["device_unused_fallback_key_types"], "the fallback key is used")

	// A new fallback key starts unused.
	alice.upload(t, s, map[string]any{"fallback_keys": map[string]any{"signed_curve25519:FALLBACK2": alice.oneTimeKey(t, 1001, true)}})
	require.Equal(t, []any{"signed_curve25519"}, syncRaw(t, s, alice.token, "")["device_unused_fallback_key_types"])
}

func TestKeysClaimUnknownUsersAndDevices(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := newKeysDevice(t, s, "alice")
	alice.upload(t, s, map[string]any{"device_keys": alice.deviceKeys(t), "one_time_keys": alice.oneTimeKeys(t, 0, 1)})
	r := alice.do(t, s, http.MethodPost, keysClaim, map[string]any{"timeout": 50, "one_time_keys": map[string]any{
		"@nobody:hearth.test":      map[string]any{"DEV": "signed_curve25519"},
		string(alice.user):         map[string]any{"NOSUCHDEVICE": "signed_curve25519", string(alice.device): "unknown_algorithm"},
		"@carol:elsewhere.example": map[string]any{"DEV": "signed_curve25519"},
	}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	require.Equal(t, map[string]any{}, r.Body["one_time_keys"])
	require.Contains(t, r.Body["failures"], "elsewhere.example")

	r = alice.do(t, s, http.MethodPost, keysClaim, map[string]any{"one_time_keys": map[string]any{"not a user id": map[string]any{}}})
	require.Equal(t, http.StatusBadRequest, r.Status, string(r.Raw))
}

// syncRaw runs one /sync as token (an initial one when since is empty)
// and returns its decoded body.
func syncRaw(t testing.TB, s *servertest.Server, token, since string) map[string]any {
	t.Helper()
	path := "/_matrix/client/v3/sync?timeout=0"
	if since != "" {
		path += "&since=" + since
	}
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: path, Token: token})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	return r.Body
}
