package pg_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/testutil/pgtest"
)

func countUsers(t *testing.T, db interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow(t.Context(), "SELECT count(*) FROM users").Scan(&n))
	return n
}

func insertUser(ctx context.Context, tx pgx.Tx, id string) error {
	_, err := tx.Exec(ctx, "INSERT INTO users (user_id) VALUES ($1)", id)
	return err
}

// raiseSQL makes the server fail the statement with the given SQLSTATE.
func raiseSQL(code string) string {
	return "DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '" + code + "'; END $$"
}

func TestInTx(t *testing.T) {
	t.Parallel()
	errBoom := errors.New("boom")
	for _, tc := range []struct {
		name      string
		fn        func(ctx context.Context, attempt int, tx pgx.Tx) error
		wantErr   error
		wantCode  string
		wantUsers int
		wantRuns  int
	}{
		{
			name:      "commits when fn succeeds",
			fn:        func(ctx context.Context, _ int, tx pgx.Tx) error { return insertUser(ctx, tx, "@a:x") },
			wantUsers: 1, wantRuns: 1,
		},
		{
			name: "rolls back and returns fn's error unchanged",
			fn: func(ctx context.Context, _ int, tx pgx.Tx) error {
				require.NoError(t, insertUser(ctx, tx, "@a:x"))
				return errBoom
			},
			wantErr: errBoom, wantUsers: 0, wantRuns: 1,
		},
		{
			name: "retries a serialization failure",
			fn: func(ctx context.Context, attempt int, tx pgx.Tx) error {
				require.NoError(t, insertUser(ctx, tx, "@a:x"))
				if attempt < 3 {
					_, err := tx.Exec(ctx, raiseSQL("40001"))
					return err
				}
				return nil
			},
			wantUsers: 1, wantRuns: 3,
		},
		{
			name: "retries a deadlock",
			fn: func(ctx context.Context, attempt int, tx pgx.Tx) error {
				if attempt == 1 {
					_, err := tx.Exec(ctx, raiseSQL("40P01"))
					return err
				}
				return insertUser(ctx, tx, "@a:x")
			},
			wantUsers: 1, wantRuns: 2,
		},
		{
			name: "gives up after five attempts",
			fn: func(ctx context.Context, _ int, tx pgx.Tx) error {
				require.NoError(t, insertUser(ctx, tx, "@a:x"))
				_, err := tx.Exec(ctx, raiseSQL("40001"))
				return err
			},
			wantCode: "40001", wantUsers: 0, wantRuns: 5,
		},
		{
			name: "does not retry other server errors",
			fn: func(ctx context.Context, _ int, tx pgx.Tx) error {
				_, err := tx.Exec(ctx, raiseSQL("23505"))
				return err
			},
			wantCode: "23505", wantUsers: 0, wantRuns: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pool := pgtest.New(t)
			runs := 0
			err := pg.InTx(t.Context(), pool, func(tx pgx.Tx) error {
				runs++
				return tc.fn(t.Context(), runs, tx)
			})
			switch {
			case tc.wantErr != nil:
				require.ErrorIs(t, err, tc.wantErr)
			case tc.wantCode != "":
				require.Equal(t, tc.wantCode, pg.SQLState(err))
			default:
				require.NoError(t, err)
			}
			require.Equal(t, tc.wantRuns, runs)
			require.Equal(t, tc.wantUsers, countUsers(t, pool))
		})
	}
}

func TestInTxRollsBackOnPanic(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	require.PanicsWithValue(t, "bug", func() {
		_ = pg.InTx(t.Context(), pool, func(tx pgx.Tx) error {
			require.NoError(t, insertUser(t.Context(), tx, "@a:x"))
			panic("bug")
		})
	})
	require.Zero(t, countUsers(t, pool))
	// The connection went back to the pool usable.
	require.NoError(t, pg.InTx(t.Context(), pool, func(tx pgx.Tx) error { return insertUser(t.Context(), tx, "@b:x") }))
	require.Equal(t, 1, countUsers(t, pool))
}

func TestInTxOptionsSerializable(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	err := pg.InTxOptions(t.Context(), pool, pgx.TxOptions{IsoLevel: pgx.Serializable}, func(tx pgx.Tx) error {
		var level string
		if err := tx.QueryRow(t.Context(), "SHOW transaction_isolation").Scan(&level); err != nil {
			return err
		}
		require.Equal(t, "serializable", level)
		return nil
	})
	require.NoError(t, err)
}

func TestInTxStopsRetryingWhenContextEnds(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx, cancel := context.WithCancel(t.Context())
	runs := 0
	err := pg.InTx(ctx, pool, func(tx pgx.Tx) error {
		runs++
		_, err := tx.Exec(ctx, raiseSQL("40001"))
		cancel()
		return err
	})
	require.Equal(t, "40001", pg.SQLState(err))
	require.Equal(t, 1, runs)
}
