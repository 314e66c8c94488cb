package app_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// TestTwoProcessesShareOneDatabase runs two hearth processes on one database,
// as behind a load balancer: an account made through one works through the
// other, and a logout through one is seen at once by the other.
func TestTwoProcessesShareOneDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := servertest.Config(t)
	a := servertest.Start(t, cfg)
	b := servertest.Start(t, cfg)
	require.Equal(t, a.App.Key.ID, b.App.Key.ID, "both serve the one signing key")

	a.Register(t, "alice", "wonderland1")
	cli := b.Client(t, "", "")
	_, err := cli.Login(ctx, &mautrix.ReqLogin{
		Type:             mautrix.AuthTypePassword,
		Identifier:       mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: "alice"},
		Password:         "wonderland1",
		StoreCredentials: true,
	})
	require.NoError(t, err)

	r := a.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/account/whoami", Token: cli.AccessToken})
	require.Equal(t, http.StatusOK, r.Status)
	_, err = cli.Logout(ctx)
	require.NoError(t, err)
	r = a.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/account/whoami", Token: cli.AccessToken})
	require.Equal(t, "M_UNKNOWN_TOKEN", r.Errcode())
}
