package clientapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/federation/signutil"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

const (
	signingUpload    = "/_matrix/client/v3/keys/device_signing/upload"
	signaturesUpload = "/_matrix/client/v3/keys/signatures/upload"
)

// crossSigning is a user's three cross-signing keys.
type crossSigning struct {
	master, self, user keyPair
}

func newCrossSigning(t testing.TB) crossSigning {
	return crossSigning{master: newKeyPair(t), self: newKeyPair(t), user: newKeyPair(t)}
}

// key is the public form of k for usage, signed by the master key unless
// it is the master key.
func (c crossSigning) key(t testing.TB, owner id.UserID, usage string, k keyPair) map[string]any {
	obj := map[string]any{"user_id": string(owner), "usage": []string{usage}, "keys": map[string]any{"ed25519:" + k.pub: k.pub}}
	if usage != "master" {
		obj = c.master.sign(t, obj, owner, "ed25519:"+c.master.pub)
	}
	return obj
}

func (c crossSigning) upload(t testing.TB, owner id.UserID) map[string]any {
	return map[string]any{
		"master_key":       c.key(t, owner, "master", c.master),
		"self_signing_key": c.key(t, owner, "self_signing", c.self),
		"user_signing_key": c.key(t, owner, "user_signing", c.user),
	}
}

func TestCrossSigningUploadAndUIA(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := newKeysDevice(t, s, "alice")
	alice.upload(t, s, map[string]any{"device_keys": alice.deviceKeys(t)})
	cs := newCrossSigning(t)

	// The first upload needs no UIA, nor does the same upload again.
	first := cs.upload(t, alice.user)
	r := alice.do(t, s, http.MethodPost, signingUpload, first)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	r = alice.do(t, s, http.MethodPost, signingUpload, first)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))

	// Replacing keys asks for the password.
	cs2 := newCrossSigning(t)
	second := cs2.upload(t, alice.user)
	r = alice.do(t, s, http.MethodPost, signingUpload, second)
	require.Equal(t, http.StatusUnauthorized, r.Status, string(r.Raw))
	session := r.Body["session"]
	require.NotEmpty(t, session)
	second["auth"] = map[string]any{"type": "m.login.password", "session": session, "password": "password-alice",
		"identifier": map[string]any{"type": "m.id.user", "user": "alice"}}
	r = alice.do(t, s, http.MethodPost, signingUpload, second)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))

	r = alice.do(t, s, http.MethodPost, keysQuery, map[string]any{"device_keys": map[string]any{string(alice.user): []string{}}})
	var q struct {
		Master map[id.UserID]json.RawMessage `json:"master_keys"`
		Self   map[id.UserID]json.RawMessage `json:"self_signing_keys"`
		User   map[id.UserID]json.RawMessage `json:"user_signing_keys"`
	}
	rawJSON(t, r, &q)
	require.Contains(t, string(q.Master[alice.user]), cs2.master.pub)
	require.NoError(t, signutil.VerifyJSON(string(alice.user), id.KeyID("ed25519:"+cs2.master.pub), id.SigningKey(cs2.master.pub), q.Self[alice.user]))
	require.Contains(t, string(q.User[alice.user]), cs2.user.pub, "the user-signing key is shown to its owner")
}

func TestCrossSigningRefusesBadKeys(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	carol := newKeysDevice(t, s, "carol")
	cs := newCrossSigning(t)
	stranger := newKeyPair(t)

	badSelf := cs.upload(t, carol.user)
	badSelf["self_signing_key"] = stranger.sign(t, map[string]any{"user_id": string(carol.user), "usage": []string{"self_signing"},
		"keys": map[string]any{"ed25519:" + cs.self.pub: cs.self.pub}}, carol.user, "ed25519:"+cs.master.pub)
	twoKeys := cs.key(t, carol.user, "master", cs.master)
	twoKeys["keys"] = map[string]any{"ed25519:" + cs.master.pub: cs.master.pub, "ed25519:" + stranger.pub: stranger.pub}
	for _, tc := range []struct {
		name    string
		body    map[string]any
		status  int
		errcode string
	}{
		{"self-signing key not signed by the master key", badSelf, http.StatusBadRequest, "M_INVALID_SIGNATURE"},
		{"no master key", map[string]any{"self_signing_key": cs.key(t, carol.user, "self_signing", cs.self)}, http.StatusBadRequest, "M_MISSING_PARAM"},
		{"another user's key", map[string]any{"master_key": cs.key(t, "@dave:hearth.test", "master", cs.master)}, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"wrong usage", map[string]any{"master_key": cs.key(t, carol.user, "self_signing", cs.master)}, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"two keys", map[string]any{"master_key": twoKeys}, http.StatusBadRequest, "M_BAD_JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := carol.do(t, s, http.MethodPost, signingUpload, tc.body)
			require.Equal(t, tc.status, r.Status, string(r.Raw))
			require.Equal(t, tc.errcode, r.Errcode(), string(r.Raw))
		})
	}

	// A public key that is one of the user's device IDs is refused: their
	// signatures could not be told apart.
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/login", Body: map[string]any{
		"type": "m.login.password", "identifier": map[string]any{"type": "m.id.user", "user": "carol"},
		"password": "password-carol", "device_id": cs.master.pub,
	}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	r = carol.do(t, s, http.MethodPost, signingUpload, map[string]any{"master_key": cs.key(t, carol.user, "master", cs.master)})
	require.Equal(t, http.StatusForbidden, r.Status, string(r.Raw))
	require.Equal(t, "M_FORBIDDEN", r.Errcode())
}

func TestCrossSigningSignatures(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := newKeysDevice(t, s, "alice")
	bob := newKeysDevice(t, s, "bob")
	aliceKeys := alice.deviceKeys(t)
	alice.upload(t, s, map[string]any{"device_keys": aliceKeys})
	bob.upload(t, s, map[string]any{"device_keys": bob.deviceKeys(t)})
	acs, bcs := newCrossSigning(t), newCrossSigning(t)
	require.Equal(t, http.StatusOK, alice.do(t, s, http.MethodPost, signingUpload, acs.upload(t, alice.user)).Status)
	require.Equal(t, http.StatusOK, bob.do(t, s, http.MethodPost, signingUpload, bcs.upload(t, bob.user)).Status)
	aliceMaster := acs.key(t, alice.user, "master", acs.master)
	sskID, uskID := "ed25519:"+acs.self.pub, "ed25519:"+bcs.user.pub

	// Alice signs her device with her self-signing key and her master key
	// with her device; Bob signs Alice's master key with his user-signing
	// key.
	r := alice.do(t, s, http.MethodPost, signaturesUpload, map[string]any{string(alice.user): map[string]any{
		string(alice.device): acs.self.sign(t, aliceKeys, alice.user, sskID),
		acs.master.pub:       alice.key.sign(t, aliceMaster, alice.user, alice.keyID()),
	}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	require.Empty(t, r.Body["failures"], string(r.Raw))
	r = bob.do(t, s, http.MethodPost, signaturesUpload, map[string]any{string(alice.user): map[string]any{
		acs.master.pub: bcs.user.sign(t, aliceMaster, bob.user, uskID),
	}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	require.Empty(t, r.Body["failures"], string(r.Raw))

	type answer struct {
		DeviceKeys map[id.UserID]map[id.DeviceID]json.RawMessage `json:"device_keys"`
		Master     map[id.UserID]json.RawMessage                 `json:"master_keys"`
		User       map[id.UserID]json.RawMessage                 `json:"user_signing_keys"`
	}
	query := func(d *keysDevice, users ...id.UserID) answer {
		body := map[string]any{}
		for _, u := range users {
			body[string(u)] = []string{}
		}
		r := d.do(t, s, http.MethodPost, keysQuery, map[string]any{"device_keys": body})
		require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
		var a answer
		rawJSON(t, r, &a)
		return a
	}
	// Everyone sees Alice's own signatures, each verifying; Bob's signature
	// of her master key is for Bob's eyes.
	for _, viewer := range []*keysDevice{alice, bob} {
		a := query(viewer, alice.user, bob.user)
		device := a.DeviceKeys[alice.user][alice.device]
		require.NoError(t, signutil.VerifyJSON(string(alice.user), id.KeyID(sskID), id.SigningKey(acs.self.pub), device))
		require.NoError(t, signutil.VerifyJSON(string(alice.user), id.KeyID(alice.keyID()), id.SigningKey(alice.key.pub), device))
		master := a.Master[alice.user]
		require.NoError(t, signutil.VerifyJSON(string(alice.user), id.KeyID(alice.keyID()), id.SigningKey(alice.key.pub), master))
		bobSig := signutil.VerifyJSON(string(bob.user), id.KeyID(uskID), id.SigningKey(bcs.user.pub), master)
		if viewer == bob {
			require.NoError(t, bobSig)
			require.Contains(t, a.User, bob.user)
		} else {
			require.ErrorIs(t, bobSig, signutil.ErrSignatureNotFound)
			require.NotContains(t, a.User, bob.user, "another user's user-signing key is not shown")
		}
	}

	// Refused signatures are reported per key.
	changed := map[string]any{}
	for k, v := range aliceKeys {
		changed[k] = v
	}
	changed["algorithms"] = []string{"m.megolm.v1.aes-sha2"}
	stranger := newKeyPair(t)
	r = alice.do(t, s, http.MethodPost, signaturesUpload, map[string]any{string(alice.user): map[string]any{
		"NOSUCHDEVICE":       acs.self.sign(t, map[string]any{"device_id": "NOSUCHDEVICE"}, alice.user, sskID),
		string(alice.device): acs.self.sign(t, changed, alice.user, sskID),
	}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	failures := r.Body["failures"].(map[string]any)[string(alice.user)].(map[string]any)
	require.Equal(t, "M_NOT_FOUND", failures["NOSUCHDEVICE"].(map[string]any)["errcode"])
	require.Equal(t, "M_INVALID_PARAM", failures[string(alice.device)].(map[string]any)["errcode"])
	r = bob.do(t, s, http.MethodPost, signaturesUpload, map[string]any{string(alice.user): map[string]any{
		acs.master.pub: stranger.sign(t, aliceMaster, bob.user, uskID),
	}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	failures = r.Body["failures"].(map[string]any)[string(alice.user)].(map[string]any)
	require.Equal(t, "M_INVALID_SIGNATURE", failures[acs.master.pub].(map[string]any)["errcode"])
}
