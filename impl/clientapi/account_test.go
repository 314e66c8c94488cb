package clientapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func TestChangePassword(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	other := login(s, t, passwordLogin("alice", "wonderland1")).Body["access_token"].(string)
	change := func(body map[string]any) servertest.Response {
		return s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/account/password", Token: alice.AccessToken, Body: body})
	}

	r := change(map[string]any{"new_password": "x"})
	require.Equal(t, "M_WEAK_PASSWORD", r.Errcode())

	r = change(map[string]any{"new_password": "looking-glass"})
	require.Equal(t, http.StatusUnauthorized, r.Status)
	r = change(map[string]any{"new_password": "looking-glass", "auth": passwordAuth(r.Body["session"], "wonderland1")})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)

	require.Equal(t, "M_UNKNOWN_TOKEN", whoami(s, t, other).Errcode(), "other devices are logged out")
	require.Equal(t, http.StatusOK, whoami(s, t, alice.AccessToken).Status, "the caller's session stays")
	require.Equal(t, "M_FORBIDDEN", login(s, t, passwordLogin("alice", "wonderland1")).Errcode())
	require.Equal(t, http.StatusOK, login(s, t, passwordLogin("alice", "looking-glass")).Status)
}

func TestChangePasswordKeepingDevices(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	other := login(s, t, passwordLogin("alice", "wonderland1")).Body["access_token"].(string)
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/account/password", Token: alice.AccessToken,
		Body: map[string]any{"new_password": "looking-glass", "logout_devices": false, "auth": passwordAuth(nil, "wonderland1")}})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, http.StatusOK, whoami(s, t, other).Status)
}

func TestDeactivate(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	deactivate := func(body map[string]any) servertest.Response {
		return s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/account/deactivate", Token: alice.AccessToken, Body: body})
	}
	r := deactivate(map[string]any{})
	require.Equal(t, http.StatusUnauthorized, r.Status)
	r = deactivate(map[string]any{"erase": true, "auth": passwordAuth(r.Body["session"], "wonderland1")})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "no-support", r.Body["id_server_unbind_result"])

	require.Equal(t, "M_UNKNOWN_TOKEN", whoami(s, t, alice.AccessToken).Errcode())
	r = login(s, t, passwordLogin("alice", "wonderland1"))
	require.Equal(t, http.StatusForbidden, r.Status)
	require.Equal(t, "M_USER_DEACTIVATED", r.Errcode())
	r = register(s, t, map[string]any{"username": "alice", "password": "wonderland1"})
	require.Equal(t, "M_USER_IN_USE", r.Errcode(), "a deactivated user ID is never handed out again")
}

func TestThirdPartyIdentifiers(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/account/3pid", Token: alice.AccessToken})
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, []any{}, r.Body["threepids"])

	email := map[string]any{"client_secret": "s3cret", "email": "alice@hearth.test", "send_attempt": 1}
	for _, tc := range []struct {
		path, token, errcode string
		body                 any
	}{
		{"/_matrix/client/v3/register/email/requestToken", "", "M_THREEPID_DENIED", email},
		{"/_matrix/client/v3/account/3pid/email/requestToken", alice.AccessToken, "M_THREEPID_DENIED", email},
		{"/_matrix/client/v3/account/password/email/requestToken", "", "M_THREEPID_NOT_FOUND", email},
		{"/_matrix/client/v3/account/3pid/add", alice.AccessToken, "M_THREEPID_AUTH_FAILED", map[string]any{"client_secret": "s", "sid": "x"}},
		{"/_matrix/client/v3/account/3pid/bind", alice.AccessToken, "M_SERVER_NOT_TRUSTED",
			map[string]any{"client_secret": "s", "sid": "x", "id_server": "id.example", "id_access_token": "t"}},
	} {
		r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: tc.path, Token: tc.token, Body: tc.body})
		require.Equal(t, tc.errcode, r.Errcode(), "%s: %s", tc.path, r.Raw)
	}
	r = s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/account/3pid/delete", Token: alice.AccessToken,
		Body: map[string]any{"medium": "email", "address": "alice@hearth.test"}})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "no-support", r.Body["id_server_unbind_result"])
}
