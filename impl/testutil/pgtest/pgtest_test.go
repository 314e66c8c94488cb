package pgtest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

func TestNewHasMigratedSchema(t *testing.T) {
	t.Parallel()
	pool := New(t)
	var users int
	require.NoError(t, pool.QueryRow(t.Context(), "SELECT count(*) FROM users").Scan(&users))
	require.Zero(t, users)
	var version int64
	require.NoError(t, pool.QueryRow(t.Context(), "SELECT max(version_id) FROM goose_db_version").Scan(&version))
	require.Positive(t, version)
	var app string
	require.NoError(t, pool.QueryRow(t.Context(), "SHOW application_name").Scan(&app))
	require.Equal(t, "hearth", app)
}

func TestDatabasesAreIsolated(t *testing.T) {
	t.Parallel()
	a, b := New(t), New(t)
	_, err := a.Exec(t.Context(), "INSERT INTO users (user_id) VALUES ('@alice:example.org')")
	require.NoError(t, err)
	var n int
	require.NoError(t, b.QueryRow(t.Context(), "SELECT count(*) FROM users").Scan(&n))
	require.Zero(t, n)
}

func TestURLDatabaseIsDroppedAtCleanup(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("user", func(t *testing.T) {
		// Not parallel: its cleanups run before t.Run returns.
		conn, err := pgx.Connect(t.Context(), URL(t))
		require.NoError(t, err)
		require.NoError(t, conn.QueryRow(t.Context(), "SELECT current_database()").Scan(&name))
		// Left open on purpose: the drop must end it.
	})
	var exists bool
	require.NoError(t, theServer.admin.QueryRow(t.Context(),
		"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists))
	require.False(t, exists, name)
}

func TestEmptyURLHasNoSchema(t *testing.T) {
	t.Parallel()
	conn, err := pgx.Connect(t.Context(), EmptyURL(t))
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var tables int
	require.NoError(t, conn.QueryRow(t.Context(),
		"SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables))
	require.Zero(t, tables)
}

func TestTxRollsBackAtCleanup(t *testing.T) {
	t.Parallel()
	tx := Tx(t)
	_, err := tx.Exec(t.Context(), "INSERT INTO users (user_id) VALUES ('@bob:example.org')")
	require.NoError(t, err)
}

func TestTemplateTakesNoConnections(t *testing.T) {
	t.Parallel()
	getServer(t)
	var allow, isTemplate bool
	require.NoError(t, theServer.admin.QueryRow(t.Context(),
		"SELECT datallowconn, datistemplate FROM pg_database WHERE datname = $1", theServer.template).Scan(&allow, &isTemplate))
	require.False(t, allow)
	require.True(t, isTemplate)
}

func TestManyParallelClones(t *testing.T) {
	t.Parallel()
	for i := range 8 {
		t.Run("clone", func(t *testing.T) {
			t.Parallel()
			pool := New(t)
			_, err := pool.Exec(t.Context(), "INSERT INTO users (user_id) VALUES ($1)", "@u"+string(rune('a'+i))+":example.org")
			require.NoError(t, err)
		})
	}
}

// TestCloneTiming measures what a test pays for its database; run with -v to
// read it.
func TestCloneTiming(t *testing.T) {
	t.Parallel()
	getServer(t)
	const n = 10
	var mu sync.Mutex
	var total time.Duration
	for range n {
		t.Run("clone", func(t *testing.T) {
			began := time.Now()
			pool := New(t)
			require.NoError(t, pool.Ping(t.Context()))
			mu.Lock()
			total += time.Since(began)
			mu.Unlock()
		})
	}
	t.Logf("pgtest on %s: New (clone + pool + ping) took %s on average over %d", theServer.kind, total/n, n)
}

// BenchmarkCloneDatabase is what each test pays for its database: a clone
// of the template and, at cleanup, the drop.
func BenchmarkCloneDatabase(b *testing.B) {
	srv := getServer(b)
	ctx := context.Background()
	for b.Loop() {
		name, err := srv.createDatabase(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.dropDatabase(ctx, name); err != nil {
			b.Fatal(err)
		}
	}
}

func TestWithDatabase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, dsn, want string }{
		{"url", "postgres://u:p@127.0.0.1:5432/postgres?sslmode=disable", "postgres://u:p@127.0.0.1:5432/x?sslmode=disable"},
		{"url with dbname parameter", "postgresql://u@h/postgres?dbname=postgres", "postgresql://u@h/x"},
		{"unix socket url", "postgres://postgres@/postgres?host=%2Ftmp%2Fs&port=5432", "postgres://postgres@/x?host=%2Ftmp%2Fs&port=5432"},
		{"keyword value", "host=h user=u dbname=postgres", "host=h user=u dbname=postgres dbname=x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, withDatabase(tc.dsn, "x"))
		})
	}
}

func TestSweepTemplatesDropsOnlyLongUnused(t *testing.T) {
	t.Parallel()
	srv := getServer(t)
	ctx := t.Context()
	old, recent := "hearth_tmpl_sweeptest_old", "hearth_tmpl_sweeptest_recent"
	for name, used := range map[string]time.Time{old: time.Now().Add(-48 * time.Hour), recent: time.Now()} {
		ident := pgx.Identifier{name}.Sanitize()
		_, err := srv.admin.Exec(ctx, "CREATE DATABASE "+ident)
		require.NoError(t, err)
		t.Cleanup(func() {
			_, _ = srv.admin.Exec(context.Background(), "ALTER DATABASE "+ident+" WITH IS_TEMPLATE false")
			_, _ = srv.admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+ident)
		})
		_, err = srv.admin.Exec(ctx, "ALTER DATABASE "+ident+" WITH IS_TEMPLATE true")
		require.NoError(t, err)
		_, err = srv.admin.Exec(ctx, fmt.Sprintf("COMMENT ON DATABASE %s IS '%s%d'", ident, usedPrefix, used.Unix()))
		require.NoError(t, err)
	}

	conn, err := srv.admin.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	require.NoError(t, sweepTemplates(ctx, conn.Conn()))

	rows, err := srv.admin.Query(ctx, "SELECT datname FROM pg_database WHERE starts_with(datname, 'hearth_tmpl_')")
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.NotContains(t, names, old)
	require.Contains(t, names, recent)
	require.Contains(t, names, srv.template)
}
