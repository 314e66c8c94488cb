package pg_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/testutil/pgtest"
	"github.com/hearth-hs/hearth/migrations"
)

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t) // already migrated
	require.NoError(t, pg.Migrate(t.Context(), pool, discard))
	var rows int
	require.NoError(t, pool.QueryRow(t.Context(), "SELECT count(*) FROM goose_db_version WHERE version_id > 0").Scan(&rows))
	require.Positive(t, rows)
}

// TestMigrateConcurrently starts several "processes" (pools) migrating one
// empty database at once: one migrates, the others wait and find nothing
// left to do.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	url := pgtest.EmptyURL(t)
	const processes = 4
	var wg sync.WaitGroup
	errs := make([]error, processes)
	for i := range processes {
		wg.Go(func() {
			pool, err := pg.Open(context.Background(), pg.Config{URL: url, MaxConns: 2}, discard)
			if err != nil {
				errs[i] = err
				return
			}
			defer pool.Close()
			errs[i] = pg.Migrate(context.Background(), pool, discard)
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}

	pool, err := pg.Open(t.Context(), pg.Config{URL: url}, discard)
	require.NoError(t, err)
	defer pool.Close()
	var applied, distinct int
	require.NoError(t, pool.QueryRow(t.Context(),
		"SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0").Scan(&applied, &distinct))
	require.Equal(t, distinct, applied, "a migration ran twice")
	var users int
	require.NoError(t, pool.QueryRow(t.Context(), "SELECT count(*) FROM users").Scan(&users))
}

// TestMigrateOutOfOrder: a migration numbered below the newest applied one
// (it landed later) is applied, not refused.
func TestMigrateOutOfOrder(t *testing.T) {
	t.Parallel()
	url := pgtest.EmptyURL(t)
	pool, err := pg.Open(t.Context(), pg.Config{URL: url, MaxConns: 2}, discard)
	require.NoError(t, err)
	defer pool.Close()
	require.NoError(t, pg.Migrate(t.Context(), pool, discard))

	db, err := sql.Open("pgx", url)
	require.NoError(t, err)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithDisableGlobalRegistry(true))
	require.NoError(t, err)
	sources := p.ListSources()
	require.Greater(t, len(sources), 2)
	middle := sources[len(sources)-2].Version // not the newest
	_, err = p.ApplyVersion(t.Context(), middle, false)
	require.NoError(t, err)

	applied := func() int {
		var n int
		require.NoError(t, pool.QueryRow(t.Context(),
			"SELECT count(*) FROM goose_db_version WHERE version_id = $1 AND is_applied", middle).Scan(&n))
		return n
	}
	require.Zero(t, applied(), "rolled back")
	require.NoError(t, pg.Migrate(t.Context(), pool, discard))
	require.Equal(t, 1, applied())
}

func TestMigrateWithOneConnection(t *testing.T) {
	t.Parallel()
	pool, err := pg.Open(t.Context(), pg.Config{URL: pgtest.EmptyURL(t), MaxConns: 1}, discard)
	require.NoError(t, err)
	defer pool.Close()
	require.NoError(t, pg.Migrate(t.Context(), pool, discard))
}

func TestMigrateDB(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("pgx", pgtest.EmptyURL(t))
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, pg.MigrateDB(t.Context(), db, discard))
	require.NoError(t, pg.MigrateDB(t.Context(), db, discard))
	var users int
	require.NoError(t, db.QueryRowContext(t.Context(), "SELECT count(*) FROM users").Scan(&users))

	db.SetMaxOpenConns(1)
	require.ErrorContains(t, pg.MigrateDB(t.Context(), db, discard), "two connections")
}

func TestMigrateCreatesRiverTables(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t) // cloned from the migrated template
	var n int
	require.NoError(t, pool.QueryRow(t.Context(), "SELECT count(*) FROM river_job").Scan(&n))
	require.NoError(t, pool.QueryRow(t.Context(), "SELECT count(*) FROM river_migration").Scan(&n))
	require.Positive(t, n)
}
