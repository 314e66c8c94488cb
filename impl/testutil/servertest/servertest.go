// Package servertest runs a real hearth for tests: the whole echo stack
// behind an httptest.Server, on a fresh database from pgtest, with helpers
// for raw HTTP round trips and for mautrix-go clients.
package servertest

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/app"
	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil"
	"github.com/hearth-hs/hearth/impl/testutil/pgtest"
)

// Server is a running hearth.
type Server struct {
	// URL is the base URL clients use (http://127.0.0.1:port).
	URL string
	// ServerName is the server name in user and room IDs.
	ServerName string
	App        *app.App
	Clock      *testutil.Clock
}

// Option changes the configuration of a test server.
type Option func(*config.Config)

// WithConfig applies fn to the configuration before the server starts.
func WithConfig(fn func(*config.Config)) Option { return Option(fn) }

// Config returns the configuration test servers start from: open
// registration, no rate limits, a cheap password hash, and a database URL
// from pgtest. Tests that start several processes on one database share it.
func Config(t testing.TB) config.Config {
	c, err := config.Load("", nil)
	require.NoError(t, err)
	c.ServerName = "hearth.test"
	c.DataDir = t.TempDir()
	c.SigningKeyPath = filepath.Join(c.DataDir, "signing.key")
	c.Media.Path = filepath.Join(c.DataDir, "media")
	c.Database.URL = pgtest.URL(t)
	c.Database.MaxConns = 8
	c.Registration.Mode = "open"
	c.HTTP.RateLimits.Enabled = false
	c.Accounts.Password.Argon2.MemoryKiB = 64
	c.Accounts.Password.Argon2.Iterations = 1
	return c
}

// New starts hearth on a fresh database and stops it when t ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return Start(t, Config(t), opts...)
}

// Start runs hearth with cfg (see Config) and stops it when t ends.
func Start(t testing.TB, cfg config.Config, opts ...Option) *Server {
	t.Helper()
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	clock := testutil.NewClock()
	a, err := app.New(ctx, cfg, testutil.Logger(t), app.Options{Now: clock.Now})
	require.NoError(t, err)
	hs := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		hs.Close()
		require.NoError(t, a.Close(context.Background()))
	})
	return &Server{URL: hs.URL, ServerName: cfg.ServerName, App: a, Clock: clock}
}
