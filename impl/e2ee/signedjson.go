package e2ee

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
	"go.mau.fi/util/exgjson"
	"maunium.net/go/mautrix/crypto/canonicaljson"
	"maunium.net/go/mautrix/federation/signutil"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// Signed JSON (v1.19 appendices, signing JSON) is kept as bytes: these
// helpers read, compare, verify and extend it without decoding it into
// structs, which would drop unknown fields and change numbers.

// object parses raw as a JSON object, or answers M_INVALID_PARAM naming what
// it is.
func object(raw []byte, what string) (gjson.Result, error) {
	if !gjson.ValidBytes(raw) {
		return gjson.Result{}, mxerr.New(mxerr.InvalidParam, "%s is not valid JSON", what)
	}
	r := gjson.ParseBytes(raw)
	if !r.IsObject() {
		return gjson.Result{}, mxerr.New(mxerr.InvalidParam, "%s must be an object", what)
	}
	return r, nil
}

// canonicalUnsigned is the canonical JSON of a signed object less its
// signatures and unsigned data: what signatures cover, and what two
// uploads of one key must agree on.
func canonicalUnsigned(raw []byte) ([]byte, error) {
	b := bytes.Clone(raw)
	var err error
	if b, err = sjson.DeleteBytes(b, "signatures"); err != nil {
		return nil, err
	}
	if b, err = sjson.DeleteBytes(b, "unsigned"); err != nil {
		return nil, err
	}
	return canonicaljson.CanonicalJSON(b)
}

// sameKey tells whether a and b are the same key, signatures aside (a
// string key is compared whole).
func sameKey(a, b []byte) bool {
	ra, rb := gjson.ParseBytes(a), gjson.ParseBytes(b)
	if !ra.IsObject() || !rb.IsObject() {
		ca, errA := canonicaljson.CanonicalJSON(a)
		cb, errB := canonicaljson.CanonicalJSON(b)
		return errA == nil && errB == nil && bytes.Equal(ca, cb)
	}
	ca, errA := canonicalUnsigned(a)
	cb, errB := canonicalUnsigned(b)
	return errA == nil && errB == nil && bytes.Equal(ca, cb)
}

// sameJSON tells whether a and b are the same JSON, signatures included.
func sameJSON(a, b []byte) bool {
	ca, errA := canonicaljson.CanonicalJSON(a)
	cb, errB := canonicaljson.CanonicalJSON(b)
	return errA == nil && errB == nil && bytes.Equal(ca, cb)
}

// signatureOf returns user's signature by keyID in raw, "" when there is
// none.
func signatureOf(raw []byte, user id.UserID, keyID string) string {
	r := gjson.GetBytes(raw, exgjson.Path("signatures", string(user), keyID))
	if r.Type != gjson.String {
		return ""
	}
	return r.Str
}

// signaturesBy returns the signatures of user in raw, by key ID.
func signaturesBy(raw []byte, user id.UserID) map[string]string {
	out := map[string]string{}
	gjson.GetBytes(raw, exgjson.Path("signatures", string(user))).ForEach(func(k, v gjson.Result) bool {
		if v.Type == gjson.String {
			out[k.Str] = v.Str
		}
		return true
	})
	return out
}

// verifySigned checks user's signature by the ed25519 key keyID
// ("ed25519:<id>") whose public key is pub.
func verifySigned(raw []byte, user id.UserID, keyID, pub string) error {
	err := signutil.VerifyJSON(string(user), id.KeyID(keyID), id.SigningKey(pub), json.RawMessage(raw))
	if err != nil {
		return mxerr.Wrap(err, mxerr.InvalidSignature, "invalid signature by "+keyID).WithStatus(400)
	}
	return nil
}

// withSignature returns raw with user's signature by keyID added.
func withSignature(raw []byte, user id.UserID, keyID, sig string) ([]byte, error) {
	return sjson.SetBytes(bytes.Clone(raw), exgjson.Path("signatures", string(user), keyID), sig)
}

// withUnsigned returns raw with unsigned.<key> set. Keys are usually
// uploaded without unsigned data: then the object is extended in place of
// its closing brace (keys/query does this for every device it answers).
func withUnsigned(raw []byte, key, value string) ([]byte, error) {
	trimmed := bytes.TrimRight(raw, " \t\r\n")
	if n := len(trimmed); n >= 2 && trimmed[n-1] == '}' && !gjson.GetBytes(raw, "unsigned").Exists() {
		k, err := json.Marshal(key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(value)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, n+len(k)+len(v)+16)
		out = append(out, trimmed[:n-1]...)
		if len(bytes.TrimSpace(trimmed[1:n-1])) > 0 {
			out = append(out, ',')
		}
		out = append(out, `"unsigned":{`...)
		out = append(out, k...)
		out = append(out, ':')
		out = append(out, v...)
		return append(out, "}}"...), nil
	}
	return sjson.SetBytes(bytes.Clone(raw), exgjson.Path("unsigned", key), value)
}

// splitKeyName splits "<algorithm>:<key ID>".
func splitKeyName(name string) (algorithm, keyID string, ok bool) {
	algorithm, keyID, ok = strings.Cut(name, ":")
	return algorithm, keyID, ok && algorithm != "" && keyID != ""
}

// ed25519KeyID is the ID of an ed25519 key: "ed25519:<device ID or public
// key>".
func ed25519KeyID(of string) string { return "ed25519:" + of }
