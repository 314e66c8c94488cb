package pgtest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/pg"
)

// poolMaxConns is each test pool's size: enough for tests that run queries
// concurrently, small enough for many parallel tests on one server.
const poolMaxConns = 8

// discard is the logger pgtest hands to pg: tests assert, they do not read
// connection logs.
var discard = slog.New(slog.DiscardHandler)

// New returns a pool on a new database holding hearth's migrated schema and
// nothing else. The pool is closed and the database dropped when t ends. It
// fails t when no server can be had (see the package doc).
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool, err := pg.Open(ctx, pg.Config{URL: url, MaxConns: poolMaxConns}, discard)
	require.NoError(t, err, "pgtest: open pool")
	t.Cleanup(pool.Close) // runs before URL's drop
	return pool
}

// URL returns the connection string of a new database holding hearth's
// migrated schema, for tests that open their own pools (several hearth
// processes on one database). The database is dropped when t ends, with
// whatever is still connected to it.
func URL(t testing.TB) string {
	t.Helper()
	srv := getServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, err := srv.createDatabase(ctx)
	require.NoError(t, err, "pgtest: create database")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := srv.dropDatabase(ctx, name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return withDatabase(srv.adminURL, name)
}

// EmptyURL returns the connection string of a new, empty database (no
// schema, no goose table), for tests of the migrations themselves. It is
// dropped when t ends.
func EmptyURL(t testing.TB) string {
	t.Helper()
	srv := getServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, err := srv.createEmptyDatabase(ctx)
	require.NoError(t, err, "pgtest: create database")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := srv.dropDatabase(ctx, name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return withDatabase(srv.adminURL, name)
}

// Tx returns a transaction on a new database (see [New]), rolled back when t
// ends, for tests that need neither a commit nor NOTIFY.
func Tx(t testing.TB) pgx.Tx {
	t.Helper()
	pool := New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err, "pgtest: begin")
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) }) // before the pool closes
	return tx
}
