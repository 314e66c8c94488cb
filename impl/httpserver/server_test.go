package httpserver_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func TestBadInput(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	for _, tc := range []struct {
		name    string
		req     servertest.Request
		status  int
		errcode string
	}{
		{"malformed JSON", servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/login", Body: `{"type": "m.login.password",`},
			http.StatusBadRequest, "M_NOT_JSON"},
		{"not an object", servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/login", Body: `"hello"`},
			http.StatusBadRequest, "M_BAD_JSON"},
		{"wrong type", servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/login", Body: map[string]any{"type": 5}},
			http.StatusBadRequest, "M_BAD_JSON"},
		{"wrong nested type", servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/delete_devices", Token: alice.AccessToken,
			Body: map[string]any{"devices": "ABC"}}, http.StatusBadRequest, "M_BAD_JSON"},
		{"missing field", servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/login", Body: map[string]any{"password": "x"}},
			http.StatusBadRequest, "M_BAD_JSON"},
		{"missing body", servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/refresh"},
			http.StatusBadRequest, "M_NOT_JSON"},
		{"missing query parameter", servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v1/register/m.login.registration_token/validity"},
			http.StatusBadRequest, "M_MISSING_PARAM"},
		{"invalid query parameter", servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/register?kind=robot", Body: map[string]any{}},
			http.StatusBadRequest, "M_INVALID_PARAM"},
		{"unknown endpoint", servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/nothing/here"},
			http.StatusNotFound, "M_UNRECOGNIZED"},
		{"wrong method", servertest.Request{Method: http.MethodDelete, Path: "/_matrix/client/v3/login"},
			http.StatusMethodNotAllowed, "M_UNRECOGNIZED"},
		{"operation not built yet", servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v1/auth_metadata"},
			http.StatusNotFound, "M_UNRECOGNIZED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := s.Do(t, tc.req)
			require.Equal(t, tc.status, r.Status, "%s", r.Raw)
			require.Equal(t, tc.errcode, r.Errcode())
			require.NotEmpty(t, r.Body["error"])
			require.Equal(t, "application/json", r.Header.Get("Content-Type"))
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) { c.HTTP.MaxBodyBytes = 65536 }))
	big := `{"type":"m.login.password","password":"` + strings.Repeat("a", 70000) + `"}`

	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/login", Body: big})
	require.Equal(t, http.StatusRequestEntityTooLarge, r.Status)
	require.Equal(t, "M_TOO_LARGE", r.Errcode())

	// Without a Content-Length the limit trips while reading.
	req, err := http.NewRequest(http.MethodPost, s.URL+"/_matrix/client/v3/login", io.MultiReader(bytes.NewReader([]byte(big))))
	require.NoError(t, err)
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "%s", body)
	require.Contains(t, string(body), "M_TOO_LARGE")
}

func TestContentTypeIsNotRequired(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	s.Register(t, "alice", "wonderland1")
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/login",
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   `{"type":"m.login.password","user":"alice","password":"wonderland1"}`})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) {
		c.HTTP.RateLimits.Enabled = true
		c.HTTP.RateLimits.Login.PerSecond = 0.001
		c.HTTP.RateLimits.Login.Burst = 2
	}))
	body := map[string]any{"type": "m.login.password", "user": "nobody", "password": "x"}
	for range 2 {
		r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/login", Body: body})
		require.Equal(t, "M_FORBIDDEN", r.Errcode())
	}
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/login", Body: body})
	require.Equal(t, http.StatusTooManyRequests, r.Status)
	require.Equal(t, "M_LIMIT_EXCEEDED", r.Errcode())
	require.Greater(t, r.Body["retry_after_ms"], float64(0))
	require.NotEmpty(t, r.Header.Get("Retry-After"))

	// Other operations are not limited.
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/login"})
	require.Equal(t, http.StatusOK, r.Status)
}

func TestCORSAndRequestIDs(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	r := s.Do(t, servertest.Request{Method: http.MethodOptions, Path: "/_matrix/client/v3/login",
		Header: http.Header{"Origin": {"https://app.element.io"}, "Access-Control-Request-Method": {"POST"}}})
	require.Equal(t, http.StatusNoContent, r.Status)
	require.Equal(t, "*", r.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, r.Header.Get("Access-Control-Allow-Methods"), "PUT")
	require.Contains(t, r.Header.Get("Access-Control-Allow-Headers"), "Authorization")

	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/nope"})
	require.Equal(t, "*", r.Header.Get("Access-Control-Allow-Origin"), "errors carry CORS headers too")
	require.Len(t, r.Header.Get("X-Request-ID"), 16)
}

func TestHealth(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/health"})
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "OK", string(r.Raw))
}
