package clientapi_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// The benchmarks run over real HTTP against real PostgreSQL: `make bench`.

func benchRequest(b *testing.B, client *http.Client, method, url, token, body string) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusUnauthorized {
		b.Fatalf("%s %s: status %d", method, url, resp.StatusCode)
	}
}

// BenchmarkWhoami is the cost of an authenticated request: routing,
// validation, the token lookup and the response, over HTTP.
func BenchmarkWhoami(b *testing.B) {
	s := servertest.New(b)
	alice := s.Register(b, "alice", "wonderland1")
	url := s.URL + "/_matrix/client/v3/account/whoami"
	client := &http.Client{}
	b.Run("sequential", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			benchRequest(b, client, http.MethodGet, url, alice.AccessToken, "")
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			c := &http.Client{}
			for pb.Next() {
				benchRequest(b, c, http.MethodGet, url, alice.AccessToken, "")
			}
		})
	})
}

// BenchmarkMiddleware is the per-request cost of hearth's own HTTP stack
// (routing, CORS, auth, kin-openapi validation, logging) without the
// network: requests go straight into the handler.
func BenchmarkMiddleware(b *testing.B) {
	s := servertest.New(b)
	alice := s.Register(b, "alice", "wonderland1")
	h := s.App.Handler()
	run := func(b *testing.B, method, path, token, body string) {
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code >= 500 {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	}
	b.Run("versions (no auth, no validation)", func(b *testing.B) {
		run(b, http.MethodGet, "/_matrix/client/versions", "", "")
	})
	b.Run("whoami (auth)", func(b *testing.B) {
		run(b, http.MethodGet, "/_matrix/client/v3/account/whoami", alice.AccessToken, "")
	})
	b.Run("rename device (auth, path parameter, JSON body)", func(b *testing.B) {
		run(b, http.MethodPut, "/_matrix/client/v3/devices/"+string(alice.DeviceID), alice.AccessToken, `{"display_name":"bench"}`)
	})
	b.Run("validation only (login body of the wrong type, no database)", func(b *testing.B) {
		run(b, http.MethodPost, "/_matrix/client/v3/login", "", `{"type":"m.login.password","identifier":{"type":"m.id.user","user":"alice"},"password":7}`)
	})
	b.Run("unknown route", func(b *testing.B) {
		run(b, http.MethodGet, "/_matrix/client/v3/nope", "", "")
	})
}

// BenchmarkLogin logs in with a password at the production argon2id cost.
func BenchmarkLogin(b *testing.B) {
	s := servertest.New(b, servertest.WithConfig(func(c *config.Config) {
		c.Accounts.Password.Argon2 = accounts.DefaultConfig().Password.Argon2
	}))
	s.Register(b, "alice", "wonderland1")
	body := `{"type":"m.login.password","identifier":{"type":"m.id.user","user":"alice"},"password":"wonderland1"}`
	client := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		benchRequest(b, client, http.MethodPost, s.URL+"/_matrix/client/v3/login", "", body)
	}
}

// BenchmarkRegister registers accounts the way clients do: a request for the
// flows, then the m.login.dummy stage; production argon2id cost.
func BenchmarkRegister(b *testing.B) {
	s := servertest.New(b, servertest.WithConfig(func(c *config.Config) {
		c.Accounts.Password.Argon2 = accounts.DefaultConfig().Password.Argon2
	}))
	client := &http.Client{}
	url := s.URL + "/_matrix/client/v3/register"
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		n++
		user := fmt.Sprintf(`"username":"user%d","password":"wonderland1"`, n)
		resp, err := client.Post(url, "application/json", strings.NewReader("{"+user+"}"))
		require.NoError(b, err)
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		session := between(buf.String(), `"session":"`, `"`)
		benchRequest(b, client, http.MethodPost, url, "",
			"{"+user+`,"auth":{"type":"m.login.dummy","session":"`+session+`"}}`)
	}
}

func between(s, start, end string) string {
	_, after, _ := strings.Cut(s, start)
	v, _, _ := strings.Cut(after, end)
	return v
}
