package accounts_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/telemetry"
	"github.com/hearth-hs/hearth/impl/testutil/pgtest"
)

func newService(t *testing.T) *accounts.Service {
	cfg := accounts.DefaultConfig()
	cfg.Registration.Mode = accounts.RegistrationOpen
	cfg.Password.Argon2 = accounts.Argon2Config{MemoryKiB: 64, Iterations: 1, Parallelism: 1}
	return accounts.New(accounts.Deps{Pool: pgtest.New(t), ServerName: "hearth.test", Logger: telemetry.Discard()}, cfg)
}

// TestConcurrentRegistrationOfOneName races registrations of one user name:
// exactly one wins, and every other gets M_USER_IN_USE, never a 500.
func TestConcurrentRegistrationOfOneName(t *testing.T) {
	t.Parallel()
	svc := newService(t)
	ctx := context.Background()
	const racers = 8
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Go(func() {
			_, errs[i] = svc.Register(ctx, accounts.RegisterParams{
				Localpart: "alice", Password: "wonderland1", Auth: &accounts.AuthData{Type: accounts.StageDummy},
			})
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		require.Equal(t, mxerr.UserInUse, mxerr.CodeOf(err), "%v", err)
	}
	require.Equal(t, 1, wins)
}

func TestCreateUserThenLogin(t *testing.T) {
	t.Parallel()
	svc := newService(t)
	ctx := context.Background()
	user, err := svc.CreateUser(ctx, "Operator", "s3cret-enough", true)
	require.NoError(t, err)
	require.Equal(t, "@operator:hearth.test", string(user))
	sess, err := svc.LoginWithPassword(ctx, "operator", "s3cret-enough", accounts.DeviceOptions{})
	require.NoError(t, err)
	p, err := svc.Authenticate(ctx, sess.AccessToken)
	require.NoError(t, err)
	require.True(t, p.IsAdmin)
	require.Equal(t, sess.DeviceID, p.DeviceID)
}
