package pg

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
)

// maxTxAttempts bounds how often InTx runs a transaction that keeps failing
// with a serialization failure or a deadlock.
const maxTxAttempts = 5

// Beginner starts transactions: *pgxpool.Pool and *pgx.Conn are Beginners.
type Beginner interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// InTx runs fn in a read-committed transaction on db and commits it when fn
// returns nil. See [InTxOptions] for the contract.
func InTx(ctx context.Context, db Beginner, fn func(pgx.Tx) error) error {
	return InTxOptions(ctx, db, pgx.TxOptions{}, fn)
}

// InTxOptions runs fn in a transaction with opts on db and commits it when fn
// returns nil. When fn returns an error or panics, the transaction is rolled
// back and the error is returned unchanged (or the panic goes on). When fn or
// the commit fails with a serialization failure or a deadlock
// ([IsRetryable]), the whole transaction runs again, up to 5 times in all,
// after a short random pause: fn must therefore have no effect outside the
// transaction before it returns (notify after InTx, not inside). It stops
// early when ctx ends.
func InTxOptions(ctx context.Context, db Beginner, opts pgx.TxOptions, fn func(pgx.Tx) error) error {
	return retrying(ctx, func() error { return runTx(ctx, db, opts, fn) })
}

// retrying runs a transaction again while it fails with a serialization
// failure or a deadlock, up to maxTxAttempts times.
func retrying(ctx context.Context, run func() error) error {
	for attempt := 1; ; attempt++ {
		err := run()
		if err == nil || !IsRetryable(err) {
			return err
		}
		if attempt == maxTxAttempts {
			return fmt.Errorf("transaction failed %d times: %w", attempt, err)
		}
		// Backoff with jitter, so that two transactions that collided do not
		// collide again: ~1-2ms, 2-4ms, 4-8ms, 8-16ms.
		base := time.Millisecond << (attempt - 1)
		pause := base + rand.N(base)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

func runTx(ctx context.Context, db Beginner, opts pgx.TxOptions, fn func(pgx.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			rollback(ctx, tx)
			panic(p)
		}
		if err != nil {
			rollback(ctx, tx)
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// rollback ends tx even when ctx is already cancelled; its error is of no
// use to anyone (pgx closes the connection when a rollback fails).
func rollback(ctx context.Context, tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = tx.Rollback(ctx)
}
