package clientapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func register(s *servertest.Server, t *testing.T, body map[string]any) servertest.Response {
	t.Helper()
	return s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/register", Body: body})
}

func TestRegisterUIAFlow(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	body := map[string]any{"username": "Alice", "password": "wonderland1", "initial_device_display_name": "phone"}

	r := register(s, t, body)
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Empty(t, r.Errcode(), "a first challenge carries no error")
	require.Equal(t, []any{map[string]any{"stages": []any{"m.login.dummy"}}}, r.Body["flows"])
	session := r.Body["session"].(string)
	require.NotEmpty(t, session)

	body["auth"] = map[string]any{"type": "m.login.dummy", "session": session}
	r = register(s, t, body)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "@alice:hearth.test", r.Body["user_id"], "localparts are lower-cased")
	require.NotEmpty(t, r.Body["device_id"])
	token := r.Body["access_token"].(string)
	require.NotContains(t, r.Body, "refresh_token")

	who := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/account/whoami", Token: token})
	require.Equal(t, "@alice:hearth.test", who.Body["user_id"])

	dev := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/devices/" + r.Body["device_id"].(string), Token: token})
	require.Equal(t, "phone", dev.Body["display_name"])

	// The session was spent with the registration.
	body["username"] = "alice2"
	r = register(s, t, body)
	require.Equal(t, http.StatusBadRequest, r.Status)
}

func TestRegisterRefusals(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	s.Register(t, "taken", "password1")
	for _, tc := range []struct {
		name    string
		body    map[string]any
		status  int
		errcode string
	}{
		{"taken", map[string]any{"username": "taken", "password": "password1"}, http.StatusBadRequest, "M_USER_IN_USE"},
		{"taken in other case", map[string]any{"username": "TAKEN", "password": "password1"}, http.StatusBadRequest, "M_USER_IN_USE"},
		{"invalid characters", map[string]any{"username": "al ice", "password": "password1"}, http.StatusBadRequest, "M_INVALID_USERNAME"},
		{"reserved", map[string]any{"username": "admin", "password": "password1"}, http.StatusBadRequest, "M_INVALID_USERNAME"},
		{"weak password", map[string]any{"username": "bob", "password": "short"}, http.StatusBadRequest, "M_WEAK_PASSWORD"},
		{"no password", map[string]any{"username": "bob"}, http.StatusBadRequest, "M_MISSING_PARAM"},
		{"unknown session", map[string]any{"username": "bob", "password": "password1", "auth": map[string]any{"type": "m.login.dummy", "session": "nope"}}, http.StatusBadRequest, "M_UNKNOWN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := register(s, t, tc.body)
			require.Equal(t, tc.status, r.Status, r.Raw)
			require.Equal(t, tc.errcode, r.Errcode())
		})
	}
}

func TestRegisterInhibitLoginAndRefresh(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	auth := map[string]any{"type": "m.login.dummy"}
	r := register(s, t, map[string]any{"username": "quiet", "password": "password1", "inhibit_login": true, "auth": auth})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "@quiet:hearth.test", r.Body["user_id"])
	require.NotContains(t, r.Body, "access_token")
	require.NotContains(t, r.Body, "device_id")

	r = register(s, t, map[string]any{"username": "fresh", "password": "password1", "refresh_token": true, "auth": auth})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.NotEmpty(t, r.Body["refresh_token"])
	require.EqualValues(t, 5*time.Minute/time.Millisecond, r.Body["expires_in_ms"])
}

func TestUsernameAvailability(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	s.Register(t, "taken", "password1")
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/register/available?username=free"})
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, true, r.Body["available"])
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/register/available?username=taken"})
	require.Equal(t, "M_USER_IN_USE", r.Errcode())
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/register/available?username=no%20pe"})
	require.Equal(t, "M_INVALID_USERNAME", r.Errcode())
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/register/available"})
	require.Equal(t, "M_MISSING_PARAM", r.Errcode())
}

func TestRegistrationClosed(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) { c.Registration.Mode = "closed" }))
	r := register(s, t, map[string]any{"username": "bob", "password": "password1"})
	require.Equal(t, http.StatusForbidden, r.Status)
	require.Equal(t, "M_FORBIDDEN", r.Errcode())
	r = s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/register?kind=guest", Body: map[string]any{}})
	require.Equal(t, http.StatusForbidden, r.Status, "guests are off by default")
}

func TestRegistrationToken(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) { c.Registration.Mode = "token" }))
	one := int32(1)
	require.NoError(t, s.App.Accounts.CreateRegistrationToken(context.Background(), "letmein", &one, nil))

	validity := func(token string) any {
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v1/register/m.login.registration_token/validity?token=" + token})
		require.Equal(t, http.StatusOK, r.Status)
		return r.Body["valid"]
	}
	require.Equal(t, true, validity("letmein"))
	require.Equal(t, false, validity("guess"))

	body := map[string]any{"username": "bob", "password": "password1"}
	r := register(s, t, body)
	require.Equal(t, []any{map[string]any{"stages": []any{"m.login.registration_token"}}}, r.Body["flows"])
	session := r.Body["session"]

	body["auth"] = map[string]any{"type": "m.login.dummy", "session": session}
	r = register(s, t, body)
	require.Equal(t, http.StatusUnauthorized, r.Status, "dummy is not offered in token mode")
	require.Equal(t, "M_UNRECOGNIZED", r.Errcode())

	body["auth"] = map[string]any{"type": "m.login.registration_token", "token": "guess", "session": session}
	r = register(s, t, body)
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, "M_UNAUTHORIZED", r.Errcode())

	body["auth"] = map[string]any{"type": "m.login.registration_token", "token": "letmein", "session": session}
	r = register(s, t, body)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, false, validity("letmein"), "its one use is spent")

	r = register(s, t, map[string]any{"username": "carol", "password": "password1",
		"auth": map[string]any{"type": "m.login.registration_token", "token": "letmein"}})
	require.Equal(t, "M_UNAUTHORIZED", r.Errcode())
}

func TestGuestRegistration(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) { c.Registration.AllowGuests = true }))
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/register?kind=guest", Body: map[string]any{}})
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	who := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/account/whoami", Token: r.Body["access_token"].(string)})
	require.Equal(t, true, who.Body["is_guest"])
}
