package pg_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/testutil/pgtest"
)

func TestErrorQuestionsOnRealErrors(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := t.Context()
	_, err := pool.Exec(ctx, "INSERT INTO users (user_id) VALUES ('@a:example.org')")
	require.NoError(t, err)

	_, dup := pool.Exec(ctx, "INSERT INTO users (user_id) VALUES ('@a:example.org')")
	wrapped := fmt.Errorf("register @a: %w", dup)
	require.True(t, pg.IsUniqueViolation(wrapped, "users_pkey"))
	require.True(t, pg.IsUniqueViolation(wrapped, ""))
	require.False(t, pg.IsUniqueViolation(wrapped, "devices_pkey"))
	require.False(t, pg.IsForeignKeyViolation(wrapped, ""))
	require.Equal(t, "23505", pg.SQLState(wrapped))

	_, fk := pool.Exec(ctx, "INSERT INTO devices (user_id, device_id) VALUES ('@nobody:example.org', 'D')")
	require.True(t, pg.IsForeignKeyViolation(fk, "devices_user_id_fkey"))
	require.False(t, pg.IsUniqueViolation(fk, ""))

	var id string
	noRows := pool.QueryRow(ctx, "SELECT user_id FROM users WHERE user_id = 'x'").Scan(&id)
	require.True(t, pg.IsNoRows(fmt.Errorf("get user: %w", noRows)))
	require.False(t, pg.IsNoRows(dup))
	require.Empty(t, pg.SQLState(noRows))
}

func TestErrorQuestionsOnOtherErrors(t *testing.T) {
	t.Parallel()
	for _, err := range []error{nil, errors.New("network"), pgx.ErrTxClosed} {
		require.False(t, pg.IsUniqueViolation(err, ""))
		require.False(t, pg.IsRetryable(err))
		require.Empty(t, pg.SQLState(err))
	}
	require.True(t, pg.IsRetryable(&pgconn.PgError{Code: "40001"}))
	require.True(t, pg.IsRetryable(fmt.Errorf("x: %w", &pgconn.PgError{Code: "40P01"})))
	require.False(t, pg.IsRetryable(&pgconn.PgError{Code: "23505"}))
}
