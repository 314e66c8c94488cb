package pg_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/testutil/pgtest"
)

var discard = slog.New(slog.DiscardHandler)

func TestOpenAppliesConfig(t *testing.T) {
	t.Parallel()
	pool, err := pg.Open(t.Context(), pg.Config{URL: pgtest.URL(t), MaxConns: 3, MaxConnLifetime: time.Minute}, discard)
	require.NoError(t, err)
	defer pool.Close()

	require.EqualValues(t, 3, pool.Config().MaxConns)
	require.Equal(t, time.Minute, pool.Config().MaxConnLifetime)
	var app string
	require.NoError(t, pool.QueryRow(t.Context(), "SELECT current_setting('application_name')").Scan(&app))
	require.Equal(t, "hearth", app)
	var jit string
	require.NoError(t, pool.QueryRow(t.Context(), "SHOW jit").Scan(&jit))
	require.Equal(t, "off", jit)
}

func TestOpenKeepsApplicationNameOfURL(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	pool, err := pg.Open(t.Context(), pg.Config{URL: url + "&application_name=worker"}, discard)
	require.NoError(t, err)
	defer pool.Close()
	var app string
	require.NoError(t, pool.QueryRow(t.Context(), "SHOW application_name").Scan(&app))
	require.Equal(t, "worker", app)
}

func TestOpenFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, url, want string }{
		{"no url", "", "no url configured"},
		{"malformed url", "postgres://u:secret@h:x/db", "database.url"},
		{"unreachable server", "postgres://u:secret@127.0.0.1:1/db?connect_timeout=2", "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := pg.Open(t.Context(), pg.Config{URL: tc.url}, discard)
			require.ErrorContains(t, err, tc.want)
			require.NotContains(t, err.Error(), "secret")
		})
	}
}
