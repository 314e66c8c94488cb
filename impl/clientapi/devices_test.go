package clientapi_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// passwordAuth is Alice's m.login.password stage; a nil session is left out.
func passwordAuth(session any, password string) map[string]any {
	auth := map[string]any{"type": "m.login.password", "password": password,
		"identifier": map[string]any{"type": "m.id.user", "user": "alice"}}
	if session != nil {
		auth["session"] = session
	}
	return auth
}

func TestDevices(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	s.Register(t, "alice", "wonderland1")
	body := passwordLogin("alice", "wonderland1")
	body["device_id"] = "ODD/ID:1"
	body["initial_device_display_name"] = "laptop"
	r := login(s, t, body)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	token := r.Body["access_token"].(string)
	path := "/_matrix/client/v3/devices/" + url.PathEscape("ODD/ID:1")

	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/devices", Token: token})
	require.Equal(t, http.StatusOK, r.Status)
	require.Len(t, r.Body["devices"], 2)

	// Percent-encoded path parameters reach the handler decoded.
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: path, Token: token})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "ODD/ID:1", r.Body["device_id"])
	require.Equal(t, "laptop", r.Body["display_name"])

	r = s.Do(t, servertest.Request{Method: http.MethodPut, Path: path, Token: token, Body: map[string]any{"display_name": "work laptop"}})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: path, Token: token})
	require.Equal(t, "work laptop", r.Body["display_name"])

	for _, method := range []string{http.MethodGet, http.MethodPut} {
		r = s.Do(t, servertest.Request{Method: method, Path: "/_matrix/client/v3/devices/NOPE", Token: token, Body: map[string]any{}})
		require.Equal(t, http.StatusNotFound, r.Status, method)
		require.Equal(t, "M_NOT_FOUND", r.Errcode(), method)
	}
}

func TestDeleteDeviceNeedsPasswordAndRevokesTokens(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	other := login(s, t, passwordLogin("alice", "wonderland1"))
	otherDevice, otherToken := other.Body["device_id"].(string), other.Body["access_token"].(string)
	path := "/_matrix/client/v3/devices/" + otherDevice

	r := s.Do(t, servertest.Request{Method: http.MethodDelete, Path: "/_matrix/client/v3/devices/NOPE", Token: alice.AccessToken})
	require.Equal(t, "M_NOT_FOUND", r.Errcode(), "unknown devices are refused before any auth")

	r = s.Do(t, servertest.Request{Method: http.MethodDelete, Path: path, Token: alice.AccessToken})
	require.Equal(t, http.StatusUnauthorized, r.Status)
	session := r.Body["session"]
	require.Equal(t, http.StatusOK, whoami(s, t, otherToken).Status, "nothing is deleted before auth")

	r = s.Do(t, servertest.Request{Method: http.MethodDelete, Path: path, Token: alice.AccessToken,
		Body: map[string]any{"auth": passwordAuth(session, "wonderland1")}})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "M_UNKNOWN_TOKEN", whoami(s, t, otherToken).Errcode())
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: path, Token: alice.AccessToken})
	require.Equal(t, http.StatusNotFound, r.Status)
}

func TestDeleteDevices(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	var tokens, devices []string
	for range 3 {
		r := login(s, t, passwordLogin("alice", "wonderland1"))
		tokens = append(tokens, r.Body["access_token"].(string))
		devices = append(devices, r.Body["device_id"].(string))
	}
	body := map[string]any{"devices": append(devices[:2:2], "UNKNOWN")}
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/delete_devices", Token: alice.AccessToken, Body: body})
	require.Equal(t, http.StatusUnauthorized, r.Status)

	body["auth"] = passwordAuth(r.Body["session"], "wonderland1")
	r = s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/delete_devices", Token: alice.AccessToken, Body: body})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "M_UNKNOWN_TOKEN", whoami(s, t, tokens[0]).Errcode())
	require.Equal(t, "M_UNKNOWN_TOKEN", whoami(s, t, tokens[1]).Errcode())
	require.Equal(t, http.StatusOK, whoami(s, t, tokens[2]).Status)
}

func TestUIASessionBelongsToItsUserAndOperation(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/delete_devices", Token: alice.AccessToken,
		Body: map[string]any{"devices": []string{}}})
	session := r.Body["session"]

	// Bob cannot finish Alice's session, even with his own password.
	r = s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/delete_devices", Token: bob.AccessToken,
		Body: map[string]any{"devices": []string{}, "auth": map[string]any{"type": "m.login.password", "session": session, "user": "bob", "password": "builder12"}}})
	require.Equal(t, http.StatusForbidden, r.Status)

	// Nor can Alice use it for another operation.
	r = s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/account/password", Token: alice.AccessToken,
		Body: map[string]any{"new_password": "another1", "auth": passwordAuth(session, "wonderland1")}})
	require.Equal(t, http.StatusForbidden, r.Status)

	// And a password stage names the session's own user only.
	r = s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/delete_devices", Token: alice.AccessToken,
		Body: map[string]any{"devices": []string{}, "auth": map[string]any{"type": "m.login.password", "session": session, "user": "bob", "password": "builder12"}}})
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, "M_FORBIDDEN", r.Errcode())
}
