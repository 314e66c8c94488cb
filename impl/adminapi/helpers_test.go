package adminapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// bundle is a running hearth with a server admin and a regular user.
type bundle struct {
	s     *servertest.Server
	admin *mautrix.Client
	user  *mautrix.Client
}

func setup(t testing.TB, opts ...servertest.Option) *bundle {
	t.Helper()
	s := servertest.New(t, opts...)
	return &bundle{s: s, admin: newAdmin(t, s, "root"), user: s.Register(t, "alice", "wonderland1")}
}

// newAdmin creates a server admin the way an operator does (hearth user
// create --admin) and logs it in through the client API.
func newAdmin(t testing.TB, s *servertest.Server, name string) *mautrix.Client {
	t.Helper()
	ctx := context.Background()
	_, err := s.App.Accounts.CreateUser(ctx, name, "correct horse", true)
	require.NoError(t, err)
	cli := s.Client(t, "", "")
	resp, err := cli.Login(ctx, &mautrix.ReqLogin{Type: mautrix.AuthTypePassword,
		Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: name}, Password: "correct horse"})
	require.NoError(t, err)
	cli.SetCredentials(resp.UserID, resp.AccessToken)
	cli.DeviceID = resp.DeviceID
	return cli
}

// do sends an admin API request as cli.
func (b *bundle) do(t testing.TB, cli *mautrix.Client, method, path string, body any) servertest.Response {
	t.Helper()
	return b.s.Do(t, servertest.Request{Method: method, Path: path, Token: cli.AccessToken, Body: body})
}

// ok sends a request as the admin and requires 200.
func (b *bundle) ok(t testing.TB, method, path string, body any) map[string]any {
	t.Helper()
	r := b.do(t, b.admin, method, path, body)
	require.Equal(t, http.StatusOK, r.Status, "%s %s: %s", method, path, r.Raw)
	return r.Body
}

func esc(s string) string { return url.PathEscape(s) }

func userPath(u id.UserID) string { return "/_synapse/admin/v2/users/" + esc(string(u)) }

func servertestRequest(method, path string) servertest.Request {
	return servertest.Request{Method: method, Path: path}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
