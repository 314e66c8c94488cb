package clientapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func TestVersions(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/versions"})
	require.Equal(t, http.StatusOK, r.Status)
	versions := r.Body["versions"].([]any)
	require.Contains(t, versions, "v1.1")
	require.Contains(t, versions, "v1.19")
	require.Equal(t, "*", r.Header.Get("Access-Control-Allow-Origin"))
}

func TestWellKnown(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) {
		c.PublicBaseURL = "https://matrix.hearth.test"
		c.WellKnown.Server = "matrix.hearth.test:443"
		c.WellKnown.SupportPage = "https://hearth.test/help"
	}))
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/.well-known/matrix/client"})
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "https://matrix.hearth.test", r.Body["m.homeserver"].(map[string]any)["base_url"])

	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/.well-known/matrix/server"})
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "matrix.hearth.test:443", r.Body["m.server"])

	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/.well-known/matrix/support"})
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "https://hearth.test/help", r.Body["support_page"])
}

func TestWellKnownNotConfigured(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	for _, path := range []string{"/.well-known/matrix/server", "/.well-known/matrix/support"} {
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: path})
		require.Equal(t, http.StatusNotFound, r.Status, path)
		require.Equal(t, "M_NOT_FOUND", r.Errcode(), path)
	}
}

func TestCapabilities(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/capabilities", Token: alice.AccessToken})
	require.Equal(t, http.StatusOK, r.Status)
	caps := r.Body["capabilities"].(map[string]any)
	require.Equal(t, true, caps["m.change_password"].(map[string]any)["enabled"])
	require.Equal(t, false, caps["m.3pid_changes"].(map[string]any)["enabled"])
	rv := caps["m.room_versions"].(map[string]any)
	require.Equal(t, "11", rv["default"])
	require.Equal(t, "stable", rv["available"].(map[string]any)["12"])
}

func TestLoginFlows(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/login"})
	require.Equal(t, http.StatusOK, r.Status)
	require.ElementsMatch(t, []any{
		map[string]any{"type": "m.login.password"},
		map[string]any{"type": "m.login.token", "get_login_token": true},
	}, r.Body["flows"])
}

func TestServerKeysAreSelfSigned(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/key/v2/server"})
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, s.ServerName, r.Body["server_name"])
	keyID := string(s.App.Key.ID)
	require.Contains(t, r.Body["verify_keys"], keyID)
	require.Contains(t, r.Body["signatures"].(map[string]any)[s.ServerName], keyID)
}
