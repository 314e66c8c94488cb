package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"
)

// Response is a raw HTTP answer with its JSON body decoded.
type Response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// Errcode is the Matrix errcode of the body, "" when there is none.
func (r Response) Errcode() string {
	s, _ := r.Body["errcode"].(string)
	return s
}

// Request is a raw request: Body is marshalled to JSON unless it is a
// []byte or string, which are sent as they are.
type Request struct {
	Method, Path, Token string
	Body                any
	Header              http.Header
}

// Do sends r to the server over real HTTP and decodes the answer.
func (s *Server) Do(t testing.TB, r Request) Response {
	t.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = bytes.NewReader([]byte(b))
	default:
		enc, err := json.Marshal(b)
		require.NoError(t, err)
		body = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(context.Background(), r.Method, s.URL+r.Path, body)
	require.NoError(t, err)
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := Response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 && raw[0] == '{' {
		require.NoError(t, json.Unmarshal(raw, &out.Body), "body: %s", raw)
	}
	return out
}

// Client returns a mautrix-go client for this server, logged in as user
// with token when they are given.
func (s *Server) Client(t testing.TB, user id.UserID, token string) *mautrix.Client {
	t.Helper()
	cli, err := mautrix.NewClient(s.URL, user, token)
	require.NoError(t, err)
	return cli
}

// Register creates an account through the real registration flow (UIA with
// m.login.dummy) and returns a client logged in as it.
func (s *Server) Register(t testing.TB, localpart, password string) *mautrix.Client {
	t.Helper()
	cli := s.Client(t, "", "")
	resp, err := cli.RegisterDummy(context.Background(), &mautrix.ReqRegister[any]{Username: localpart, Password: password})
	require.NoError(t, err)
	cli.SetCredentials(resp.UserID, resp.AccessToken)
	cli.DeviceID = resp.DeviceID
	return cli
}
