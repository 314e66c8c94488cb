package clientapi_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/crypto/canonicaljson"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// keyPair is an ed25519 key: a device's, or a cross-signing key.
type keyPair struct {
	pub  string
	priv ed25519.PrivateKey
}

func newKeyPair(t testing.TB) keyPair {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return keyPair{pub: base64.RawStdEncoding.EncodeToString(pub), priv: priv}
}

// sign adds user's signature by keyID to obj (v1.19 appendices, signing
// JSON): over the canonical JSON of obj without signatures and unsigned.
func (k keyPair) sign(t testing.TB, obj map[string]any, user id.UserID, keyID string) map[string]any {
	t.Helper()
	bare := map[string]any{}
	for key, v := range obj {
		if key != "signatures" && key != "unsigned" {
			bare[key] = v
		}
	}
	b, err := json.Marshal(bare)
	require.NoError(t, err)
	canonical, err := canonicaljson.CanonicalJSON(b)
	require.NoError(t, err)
	sig := base64.RawStdEncoding.EncodeToString(ed25519.Sign(k.priv, canonical))
	// Copies, so that signing a copy of obj leaves obj as it was.
	sigs := map[string]any{}
	old, _ := obj["signatures"].(map[string]any)
	for u, v := range old {
		sigs[u] = v
	}
	mine := map[string]any{}
	oldMine, _ := sigs[string(user)].(map[string]any)
	for k, v := range oldMine {
		mine[k] = v
	}
	mine[keyID] = sig
	sigs[string(user)] = mine
	out := map[string]any{}
	for key, v := range obj {
		out[key] = v
	}
	out["signatures"] = sigs
	return out
}

// keysDevice is a logged-in device with an ed25519 identity key, speaking
// raw HTTP.
type keysDevice struct {
	user   id.UserID
	device id.DeviceID
	token  string
	key    keyPair
}

func newKeysDevice(t testing.TB, s *servertest.Server, localpart string) *keysDevice {
	t.Helper()
	cli := s.Register(t, localpart, "password-"+localpart)
	return &keysDevice{user: cli.UserID, device: cli.DeviceID, token: cli.AccessToken, key: newKeyPair(t)}
}

// login opens another device of d's user.
func (d *keysDevice) login(t testing.TB, s *servertest.Server) *keysDevice {
	t.Helper()
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/login", Body: map[string]any{
		"type": "m.login.password", "identifier": map[string]any{"type": "m.id.user", "user": d.user.Localpart()},
		"password": "password-" + d.user.Localpart(),
	}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	return &keysDevice{user: d.user, device: id.DeviceID(r.Body["device_id"].(string)), token: r.Body["access_token"].(string), key: newKeyPair(t)}
}

func (d *keysDevice) keyID() string { return "ed25519:" + string(d.device) }

// deviceKeys are d's signed device keys.
func (d *keysDevice) deviceKeys(t testing.TB) map[string]any {
	t.Helper()
	return d.key.sign(t, map[string]any{
		"user_id": string(d.user), "device_id": string(d.device),
		"algorithms": []string{"m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"},
		"keys": map[string]any{
			"ed25519:" + string(d.device):    d.key.pub,
			"curve25519:" + string(d.device): base64.RawStdEncoding.EncodeToString([]byte(fmt.Sprintf("%-32s", "curve "+d.device))),
		},
	}, d.user, d.keyID())
}

// oneTimeKey is a signed curve25519 one-time key of d; fallback marks a
// fallback key.
func (d *keysDevice) oneTimeKey(t testing.TB, n int, fallback bool) map[string]any {
	t.Helper()
	k := map[string]any{"key": base64.RawStdEncoding.EncodeToString([]byte(fmt.Sprintf("%-32d", n)))}
	if fallback {
		k["fallback"] = true
	}
	return d.key.sign(t, k, d.user, d.keyID())
}

// do sends a request as d.
func (d *keysDevice) do(t testing.TB, s *servertest.Server, method, path string, body any) servertest.Response {
	t.Helper()
	return s.Do(t, servertest.Request{Method: method, Path: path, Token: d.token, Body: body})
}

// upload uploads keys and wants 200.
func (d *keysDevice) upload(t testing.TB, s *servertest.Server, body map[string]any) servertest.Response {
	t.Helper()
	r := d.do(t, s, http.MethodPost, "/_matrix/client/v3/keys/upload", body)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	return r
}

// oneTimeKeys makes n signed one-time keys numbered from first.
func (d *keysDevice) oneTimeKeys(t testing.TB, first, n int) map[string]any {
	t.Helper()
	keys := map[string]any{}
	for i := first; i < first+n; i++ {
		keys[fmt.Sprintf("signed_curve25519:K%04d", i)] = d.oneTimeKey(t, i, false)
	}
	return keys
}

// rawJSON decodes a response's raw body into v.
func rawJSON(t testing.TB, r servertest.Response, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Raw, v), string(r.Raw))
}

// createRoom makes a public room as d.
func (d *keysDevice) createRoom(t testing.TB, s *servertest.Server) string {
	t.Helper()
	r := d.do(t, s, http.MethodPost, "/_matrix/client/v3/createRoom", map[string]any{"preset": "public_chat"})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	return r.Body["room_id"].(string)
}

func (d *keysDevice) join(t testing.TB, s *servertest.Server, room string) {
	t.Helper()
	r := d.do(t, s, http.MethodPost, "/_matrix/client/v3/join/"+room, map[string]any{})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
}

func (d *keysDevice) leave(t testing.TB, s *servertest.Server, room string) {
	t.Helper()
	r := d.do(t, s, http.MethodPost, "/_matrix/client/v3/rooms/"+room+"/leave", map[string]any{})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
}

// deviceLists are a sync's device_lists.
type deviceLists struct {
	Changed []string `json:"changed"`
	Left    []string `json:"left"`
}

// syncLists syncs as d from since and returns the device lists and the
// next token.
func (d *keysDevice) syncLists(t testing.TB, s *servertest.Server, since string) (deviceLists, string) {
	t.Helper()
	body := syncRaw(t, s, d.token, since)
	var out struct {
		DeviceLists deviceLists `json:"device_lists"`
	}
	require.NoError(t, json.Unmarshal(mustJSON(t, body), &out))
	return out.DeviceLists, body["next_batch"].(string)
}
