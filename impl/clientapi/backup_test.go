package clientapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

const backupAlgorithm = "m.megolm_backup.v1.curve25519-aes-sha2"

func backupKey(fmi, forwarded int, verified bool, data string) map[string]any {
	return map[string]any{"first_message_index": fmi, "forwarded_count": forwarded, "is_verified": verified,
		"session_data": map[string]any{"ephemeral": "e", "ciphertext": data, "mac": "m"}}
}

func TestBackupVersionsAndKeys(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := newKeysDevice(t, s, "alice")
	const versions = "/_matrix/client/v3/room_keys/version"
	room := "!room:hearth.test"

	r := alice.do(t, s, http.MethodGet, versions, nil)
	require.Equal(t, http.StatusNotFound, r.Status, string(r.Raw))
	require.Equal(t, "M_NOT_FOUND", r.Errcode())
	r = alice.do(t, s, http.MethodPut, "/_matrix/client/v3/room_keys/keys?version=1", map[string]any{"rooms": map[string]any{}})
	require.Equal(t, http.StatusNotFound, r.Status, "no backup at all")

	// auth_data comes back as it was sent.
	authData := `{"public_key":"abc","signatures":{"@alice:hearth.test":{"ed25519:X":"sig"}},"n":1.50}`
	r = alice.do(t, s, http.MethodPost, versions, `{"algorithm":"`+backupAlgorithm+`","auth_data":`+authData+`}`)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	require.Equal(t, "1", r.Body["version"])
	r = alice.do(t, s, http.MethodGet, versions, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	require.Contains(t, string(r.Raw), `"auth_data":`+authData)
	require.Equal(t, float64(0), r.Body["count"])
	etag0 := r.Body["etag"]

	keys := "/_matrix/client/v3/room_keys/keys"
	r = alice.do(t, s, http.MethodPut, keys+"?version=1", map[string]any{"rooms": map[string]any{
		room: map[string]any{"sessions": map[string]any{"S1": backupKey(5, 1, false, "first"), "S2": backupKey(0, 0, true, "two")}},
	}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	require.Equal(t, float64(2), r.Body["count"])
	require.NotEqual(t, etag0, r.Body["etag"])
	etag1 := r.Body["etag"]

	// A stored key gives way only to a better one: verified, then an
	// earlier first message index, then fewer forwards.
	session := keys + "/" + room + "/S1?version=1"
	for _, tc := range []struct {
		name    string
		key     map[string]any
		kept    string
		changes bool
	}{
		{"worse: later first message index", backupKey(6, 0, false, "later"), "first", false},
		{"worse: more forwards", backupKey(5, 2, false, "forwarded"), "first", false},
		{"better: fewer forwards", backupKey(5, 0, false, "fewer"), "fewer", true},
		{"better: earlier first message index", backupKey(4, 9, false, "earlier"), "earlier", true},
		{"better: verified", backupKey(9, 9, true, "verified"), "verified", true},
		{"worse: unverified after verified", backupKey(0, 0, false, "unverified"), "verified", false},
	} {
		r = alice.do(t, s, http.MethodPut, session, tc.key)
		require.Equal(t, http.StatusOK, r.Status, tc.name+": "+string(r.Raw))
		require.Equal(t, float64(2), r.Body["count"], tc.name)
		require.Equal(t, tc.changes, r.Body["etag"] != etag1, tc.name)
		etag1 = r.Body["etag"]
		r = alice.do(t, s, http.MethodGet, session, nil)
		require.Equal(t, tc.kept, r.Body["session_data"].(map[string]any)["ciphertext"], tc.name)
	}

	// The three levels of reading.
	r = alice.do(t, s, http.MethodGet, keys+"?version=1", nil)
	require.Len(t, r.Body["rooms"].(map[string]any)[room].(map[string]any)["sessions"], 2)
	r = alice.do(t, s, http.MethodGet, keys+"/"+room+"?version=1", nil)
	require.Len(t, r.Body["sessions"], 2)
	r = alice.do(t, s, http.MethodGet, keys+"/!other:hearth.test?version=1", nil)
	require.Equal(t, map[string]any{}, r.Body["sessions"])
	r = alice.do(t, s, http.MethodGet, keys+"/"+room+"/NOPE?version=1", nil)
	require.Equal(t, http.StatusNotFound, r.Status)

	// A new version becomes current: writing to the old one is refused.
	r = alice.do(t, s, http.MethodPost, versions, map[string]any{"algorithm": backupAlgorithm, "auth_data": map[string]any{"public_key": "def"}})
	require.Equal(t, "2", r.Body["version"])
	r = alice.do(t, s, http.MethodPut, session, backupKey(0, 0, true, "x"))
	require.Equal(t, http.StatusForbidden, r.Status, string(r.Raw))
	require.Equal(t, "M_WRONG_ROOM_KEYS_VERSION", r.Errcode())
	require.Equal(t, "2", r.Body["current_version"])
	r = alice.do(t, s, http.MethodGet, keys+"?version=1", nil)
	require.Equal(t, http.StatusOK, r.Status, "an old version can still be read")

	// Updating: the algorithm stays, the version in the body must match.
	r = alice.do(t, s, http.MethodPut, versions+"/2", map[string]any{"algorithm": backupAlgorithm, "auth_data": map[string]any{"public_key": "ghi"}, "version": "2"})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	r = alice.do(t, s, http.MethodPut, versions+"/2", map[string]any{"algorithm": backupAlgorithm, "auth_data": map[string]any{}, "version": "1"})
	require.Equal(t, "M_INVALID_PARAM", r.Errcode(), string(r.Raw))
	r = alice.do(t, s, http.MethodGet, versions+"/2", nil)
	require.Equal(t, "ghi", r.Body["auth_data"].(map[string]any)["public_key"])

	// Deleting keys at each level, then a whole version.
	r = alice.do(t, s, http.MethodDelete, session, nil)
	require.Equal(t, float64(1), r.Body["count"], string(r.Raw))
	r = alice.do(t, s, http.MethodDelete, keys+"/"+room+"?version=1", nil)
	require.Equal(t, float64(0), r.Body["count"], string(r.Raw))
	r = alice.do(t, s, http.MethodDelete, keys+"?version=1", nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	r = alice.do(t, s, http.MethodPut, keys+"?version=2", map[string]any{"rooms": map[string]any{
		room: map[string]any{"sessions": map[string]any{"S9": backupKey(0, 0, false, "nine")}}}})
	require.Equal(t, float64(1), r.Body["count"])
	r = alice.do(t, s, http.MethodDelete, versions+"/2", nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	r = alice.do(t, s, http.MethodGet, keys+"?version=2", nil)
	require.Equal(t, http.StatusNotFound, r.Status, "a deleted version's keys are gone")
	r = alice.do(t, s, http.MethodGet, versions, nil)
	require.Equal(t, "1", r.Body["version"], "the newest version left is current")
	r = alice.do(t, s, http.MethodPost, versions, map[string]any{"algorithm": backupAlgorithm, "auth_data": map[string]any{}})
	require.Equal(t, "3", r.Body["version"], "version numbers are not reused")
	r = alice.do(t, s, http.MethodDelete, versions+"/2", nil)
	require.Equal(t, http.StatusNotFound, r.Status)

	// Another user's backups are their own.
	bob := newKeysDevice(t, s, "bob")
	r = bob.do(t, s, http.MethodGet, versions+"/3", nil)
	require.Equal(t, http.StatusNotFound, r.Status)
}
