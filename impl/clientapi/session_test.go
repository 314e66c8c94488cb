package clientapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func login(s *servertest.Server, t *testing.T, body map[string]any) servertest.Response {
	t.Helper()
	return s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/login", Body: body})
}

func whoami(s *servertest.Server, t *testing.T, token string) servertest.Response {
	t.Helper()
	return s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/account/whoami", Token: token})
}

func passwordLogin(user, password string) map[string]any {
	return map[string]any{
		"type":       "m.login.password",
		"identifier": map[string]any{"type": "m.id.user", "user": user},
		"password":   password,
	}
}

func TestLoginWithPassword(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	s.Register(t, "alice", "wonderland1")

	for _, user := range []string{"alice", "@alice:hearth.test", "ALICE"} {
		r := login(s, t, passwordLogin(user, "wonderland1"))
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Equal(t, "@alice:hearth.test", r.Body["user_id"])
		who := whoami(s, t, r.Body["access_token"].(string))
		require.Equal(t, http.StatusOK, who.Status)
		require.Equal(t, r.Body["device_id"], who.Body["device_id"])
		require.Equal(t, false, who.Body["is_guest"])
	}

	// The deprecated top-level user field still works.
	r := login(s, t, map[string]any{"type": "m.login.password", "user": "alice", "password": "wonderland1"})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
}

func TestLoginRefusals(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	s.Register(t, "alice", "wonderland1")
	for _, tc := range []struct {
		name    string
		body    map[string]any
		status  int
		errcode string
	}{
		{"wrong password", passwordLogin("alice", "guess"), http.StatusForbidden, "M_FORBIDDEN"},
		{"unknown user", passwordLogin("nobody", "wonderland1"), http.StatusForbidden, "M_FORBIDDEN"},
		{"other server's user", passwordLogin("@alice:elsewhere.test", "wonderland1"), http.StatusForbidden, "M_FORBIDDEN"},
		{"third-party identifier", map[string]any{"type": "m.login.password", "password": "x",
			"identifier": map[string]any{"type": "m.id.thirdparty", "medium": "email", "address": "a@b.c"}}, http.StatusForbidden, "M_FORBIDDEN"},
		{"unknown login type", map[string]any{"type": "m.login.sso"}, http.StatusBadRequest, "M_UNKNOWN"},
		{"bad login token", map[string]any{"type": "m.login.token", "token": "nope"}, http.StatusForbidden, "M_FORBIDDEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := login(s, t, tc.body)
			require.Equal(t, tc.status, r.Status, r.Raw)
			require.Equal(t, tc.errcode, r.Errcode())
		})
	}
}

func TestLoginReusesDeviceAndRevokesItsOldToken(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	s.Register(t, "alice", "wonderland1")
	body := passwordLogin("alice", "wonderland1")
	body["device_id"] = "LAPTOP"
	first := login(s, t, body)
	require.Equal(t, "LAPTOP", first.Body["device_id"])
	second := login(s, t, body)
	require.Equal(t, "LAPTOP", second.Body["device_id"])
	require.Equal(t, "M_UNKNOWN_TOKEN", whoami(s, t, first.Body["access_token"].(string)).Errcode())
	require.Equal(t, http.StatusOK, whoami(s, t, second.Body["access_token"].(string)).Status)
}

func TestTokens(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")

	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/account/whoami"})
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, "M_MISSING_TOKEN", r.Errcode())

	r = whoami(s, t, "hat_unknown")
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, "M_UNKNOWN_TOKEN", r.Errcode())
	require.NotContains(t, r.Body, "soft_logout")

	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/account/whoami",
		Header: http.Header{"Authorization": {"Basic abc"}}})
	require.Equal(t, http.StatusUnauthorized, r.Status)

	// The deprecated query parameter is still accepted where the spec allows it.
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/account/whoami?access_token=" + alice.AccessToken})
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "@alice:hearth.test", r.Body["user_id"])
}

func TestRefreshTokenRotation(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	s.Register(t, "alice", "wonderland1")
	body := passwordLogin("alice", "wonderland1")
	body["refresh_token"] = true
	r := login(s, t, body)
	require.Equal(t, http.StatusOK, r.Status)
	access1, refresh1 := r.Body["access_token"].(string), r.Body["refresh_token"].(string)
	require.EqualValues(t, 300000, r.Body["expires_in_ms"])

	refresh := func(token string) servertest.Response {
		return s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/refresh", Body: map[string]any{"refresh_token": token}})
	}

	// An expired access token is a soft logout: the client keeps its session.
	s.Clock.Advance(6 * time.Minute)
	r = whoami(s, t, access1)
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, "M_UNKNOWN_TOKEN", r.Errcode())
	require.Equal(t, true, r.Body["soft_logout"])

	r = refresh(refresh1)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	access2, refresh2 := r.Body["access_token"].(string), r.Body["refresh_token"].(string)
	require.NotEqual(t, refresh1, refresh2)

	// Until the new pair is used, the old refresh token may be retried; the
	// retry replaces the unused pair.
	r = refresh(refresh1)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	access3 := r.Body["access_token"].(string)
	require.Equal(t, "M_UNKNOWN_TOKEN", whoami(s, t, access2).Errcode(), "the replaced pair is gone")
	_ = refresh2

	require.Equal(t, http.StatusOK, whoami(s, t, access3).Status)
	r = refresh(refresh1)
	require.Equal(t, http.StatusUnauthorized, r.Status, "using the new token revoked the old refresh token")
	require.Equal(t, "M_UNKNOWN_TOKEN", r.Errcode())
}

func TestLoginToken(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	getToken := func(auth map[string]any) servertest.Response {
		body := map[string]any{}
		if auth != nil {
			body["auth"] = auth
		}
		return s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v1/login/get_token", Token: alice.AccessToken, Body: body})
	}
	r := getToken(nil)
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, []any{map[string]any{"stages": []any{"m.login.password"}}}, r.Body["flows"])
	session := r.Body["session"]

	r = getToken(map[string]any{"type": "m.login.password", "session": session, "password": "guess",
		"identifier": map[string]any{"type": "m.id.user", "user": "alice"}})
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, "M_FORBIDDEN", r.Errcode(), "a failed stage says why")

	r = getToken(map[string]any{"type": "m.login.password", "session": session, "password": "wonderland1",
		"identifier": map[string]any{"type": "m.id.user", "user": "alice"}})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	token := r.Body["login_token"].(string)
	require.EqualValues(t, 120000, r.Body["expires_in_ms"])

	r = login(s, t, map[string]any{"type": "m.login.token", "token": token})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "@alice:hearth.test", r.Body["user_id"])
	r = login(s, t, map[string]any{"type": "m.login.token", "token": token})
	require.Equal(t, "M_FORBIDDEN", r.Errcode(), "login tokens work once")
}

func TestLoginTokenExpires(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v1/login/get_token", Token: alice.AccessToken,
		Body: map[string]any{"auth": map[string]any{"type": "m.login.password", "user": "alice", "password": "wonderland1"}}})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	s.Clock.Advance(3 * time.Minute)
	r = login(s, t, map[string]any{"type": "m.login.token", "token": r.Body["login_token"]})
	require.Equal(t, "M_FORBIDDEN", r.Errcode())
}

func TestLogout(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	s.Register(t, "alice", "wonderland1")
	a := login(s, t, passwordLogin("alice", "wonderland1")).Body["access_token"].(string)
	b := login(s, t, passwordLogin("alice", "wonderland1")).Body["access_token"].(string)
	c := login(s, t, passwordLogin("alice", "wonderland1")).Body["access_token"].(string)

	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/logout", Token: a})
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "M_UNKNOWN_TOKEN", whoami(s, t, a).Errcode())
	require.Equal(t, http.StatusOK, whoami(s, t, b).Status)

	r = s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/logout/all", Token: b})
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "M_UNKNOWN_TOKEN", whoami(s, t, b).Errcode())
	require.Equal(t, "M_UNKNOWN_TOKEN", whoami(s, t, c).Errcode())
}
