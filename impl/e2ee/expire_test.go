package e2ee

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/testutil/pgtest"
)

func TestExpireToDeviceTxns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	for _, q := range []string{
		`INSERT INTO users (user_id) VALUES ('@a:x')`,
		`INSERT INTO devices (user_id, device_id) VALUES ('@a:x', 'D')`,
		`INSERT INTO e2e_to_device_txns (user_id, device_id, txn_id, created_at) VALUES
			('@a:x', 'D', 'old', now() - interval '25 hours'), ('@a:x', 'D', 'new', now() - interval '1 hour')`,
	} {
		_, err := pool.Exec(ctx, q)
		require.NoError(t, err)
	}
	s := New(Deps{Pool: pool, ServerName: "x", Logger: slog.New(slog.DiscardHandler)}, DefaultConfig())
	require.NoError(t, (&expireWorker{s: s}).Work(ctx, nil))
	var left []string
	rows, err := pool.Query(ctx, `SELECT txn_id FROM e2e_to_device_txns`)
	require.NoError(t, err)
	for rows.Next() {
		var txn string
		require.NoError(t, rows.Scan(&txn))
		left = append(left, txn)
	}
	require.Equal(t, []string{"new"}, left)
	require.Len(t, s.PeriodicJobs(), 1)
	require.Error(t, Config{ToDeviceLimit: 0, ToDeviceTxnLifetime: time.Second}.Validate())
}
