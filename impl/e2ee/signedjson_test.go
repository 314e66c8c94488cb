package e2ee

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

func TestSameKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		a, b string
		same bool
	}{
		{"identical", `{"key":"k","signatures":{"@a:x":{"ed25519:D":"s"}}}`, `{"key":"k","signatures":{"@a:x":{"ed25519:D":"s"}}}`, true},
		{"other signatures and order", `{"key":"k","fallback":true,"signatures":{"@a:x":{"ed25519:D":"s"}}}`, `{"fallback":true, "key":"k"}`, true},
		{"unsigned differs", `{"key":"k","unsigned":{"n":1}}`, `{"key":"k"}`, true},
		{"other key", `{"key":"k"}`, `{"key":"l"}`, false},
		{"strings", `"abc"`, `"abc"`, true},
		{"string and object", `"abc"`, `{"key":"abc"}`, false},
		{"numbers compared canonically", `{"key":"k","n":1.0}`, `{"key":"k","n":1}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.same, sameKey([]byte(tc.a), []byte(tc.b)))
		})
	}
}

func TestCheckCrossSigningKey(t *testing.T) {
	t.Parallel()
	const user = "@a:x"
	for _, tc := range []struct {
		name, key, errcode string
	}{
		{"good", `{"user_id":"@a:x","usage":["master"],"keys":{"ed25519:PUB":"PUB"}}`, ""},
		{"other user", `{"user_id":"@b:x","usage":["master"],"keys":{"ed25519:PUB":"PUB"}}`, mxerr.InvalidParam},
		{"usage missing", `{"user_id":"@a:x","usage":["self_signing"],"keys":{"ed25519:PUB":"PUB"}}`, mxerr.InvalidParam},
		{"key ID not the key", `{"user_id":"@a:x","usage":["master"],"keys":{"ed25519:PUB":"OTHER"}}`, mxerr.InvalidParam},
		{"not ed25519", `{"user_id":"@a:x","usage":["master"],"keys":{"curve25519:PUB":"PUB"}}`, mxerr.InvalidParam},
		{"no keys", `{"user_id":"@a:x","usage":["master"],"keys":{}}`, mxerr.InvalidParam},
		{"not an object", `["master"]`, mxerr.InvalidParam},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := checkCrossSigningKey(user, "master", []byte(tc.key))
			require.Equal(t, tc.errcode, mxerr.CodeOf(err))
		})
	}
}

func TestBatchTokens(t *testing.T) {
	t.Parallel()
	pos, nid, err := parseBatch(formatBatch(42, 7))
	require.NoError(t, err)
	require.Equal(t, [2]int64{42, 7}, [2]int64{pos, nid})
	pos, nid, err = parseBatch("")
	require.NoError(t, err)
	require.Zero(t, pos+nid)
	for _, bad := range []string{"42_7", "dx_7", "d42", "d42_", "s42"} {
		_, _, err := parseBatch(bad)
		require.Equal(t, mxerr.InvalidParam, mxerr.CodeOf(err), bad)
	}
}

func TestSplitKeyName(t *testing.T) {
	t.Parallel()
	alg, id, ok := splitKeyName("signed_curve25519:AAAAHg")
	require.True(t, ok)
	require.Equal(t, "signed_curve25519", alg)
	require.Equal(t, "AAAAHg", id)
	for _, bad := range []string{"AAAA", ":AAAA", "signed_curve25519:"} {
		_, _, ok := splitKeyName(bad)
		require.False(t, ok, bad)
	}
}

func TestWithUnsigned(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"no unsigned", `{"a":1}`, `{"a":1,"unsigned":{"device_display_name":"x \"y\""}}`},
		{"trailing space", "{\"a\":1} \n", `{"a":1,"unsigned":{"device_display_name":"x \"y\""}}`},
		{"empty object", `{ }`, `{"unsigned":{"device_display_name":"x \"y\""}}`},
		{"unsigned there", `{"a":1,"unsigned":{"b":2}}`, `{"a":1,"unsigned":{"b":2,"device_display_name":"x \"y\""}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := withUnsigned([]byte(tc.in), "device_display_name", `x "y"`)
			require.NoError(t, err)
			require.JSONEq(t, tc.want, string(got))
		})
	}
}
