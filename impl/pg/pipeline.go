package pg

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Pipeline runs a transaction's statements with fewer round trips: a
// statement whose result is not read (Exec) is queued and sent together
// with the next statement whose result is read, or at Flush. It satisfies
// gen/db's DBTX, so generated queries run on it unchanged.
//
// Statements still run in order, each after the previous one finished, so
// a queued lock is held before a query sent with it reads. The price is
// that an Exec's error surfaces at the next read or Flush, and an Exec's
// command tag is always empty: use it only where the tag is not needed.
type Pipeline struct {
	conn  batcher
	queue []queued
}

// batcher is what a pipeline runs on: a transaction or a connection.
type batcher interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

type queued struct {
	sql  string
	args []any
}

// NewPipeline wraps tx.
func NewPipeline(tx pgx.Tx) *Pipeline { return &Pipeline{conn: tx} }

// InPipelineTx runs fn in a transaction on a pipeline whose BEGIN goes out
// with fn's first read and whose COMMIT goes out with fn's last writes, so
// that a transaction of one read and some writes takes two round trips.
// It commits when fn returns nil, rolls back otherwise, and retries
// serialization failures and deadlocks as InTx does.
func InPipelineTx(ctx context.Context, pool *pgxpool.Pool, fn func(*Pipeline) error) error {
	return retrying(ctx, func() error { return runPipelineTx(ctx, pool, fn) })
}

func runPipelineTx(ctx context.Context, pool *pgxpool.Pool, fn func(*Pipeline) error) (err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection: %w", err)
	}
	defer conn.Release()
	p := &Pipeline{conn: conn, queue: []queued{{sql: "BEGIN"}}}
	committed := false
	defer func() {
		if committed {
			return
		}
		// A transaction left open (an error, a panic) is rolled back, so
		// the connection goes back to the pool clean.
		if conn.Conn().PgConn().TxStatus() != 'I' {
			if _, rbErr := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); rbErr != nil {
				conn.Conn().Close(context.WithoutCancel(ctx))
			}
		}
	}()
	if err := fn(p); err != nil {
		return err
	}
	p.queue = append(p.queue, queued{sql: "COMMIT"})
	if err := p.Flush(ctx); err != nil {
		return err
	}
	committed = true
	return nil
}

// Exec queues a statement.
func (p *Pipeline) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	p.queue = append(p.queue, queued{sql: sql, args: args})
	return pgconn.CommandTag{}, nil
}

// Query sends the queued statements and this one together.
func (p *Pipeline) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if len(p.queue) == 0 {
		return p.conn.Query(ctx, sql, args...)
	}
	br, err := p.send(ctx, &queued{sql: sql, args: args})
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

// QueryRow sends the queued statements and this one together.
func (p *Pipeline) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := p.Query(ctx, sql, args...)
	return &pipelineRow{rows: rows, err: err}
}

// Flush sends the queued statements.
func (p *Pipeline) Flush(ctx context.Context) error {
	if len(p.queue) == 0 {
		return nil
	}
	br, err := p.send(ctx, nil)
	if err != nil {
		return err
	}
	return br.Close()
}

// send sends the queue, then last if given, and reads the queued results.
func (p *Pipeline) send(ctx context.Context, last *queued) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	for _, q := range p.queue {
		b.Queue(q.sql, q.args...)
	}
	n := len(p.queue)
	p.queue = nil
	if last != nil {
		b.Queue(last.sql, last.args...)
	}
	br := p.conn.SendBatch(ctx, b)
	for i := range n {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, fmt.Errorf("pipelined statement %d of %d: %w", i+1, n, err)
		}
	}
	return br, nil
}

// batchRows closes its batch with its rows.
type batchRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r *batchRows) Close() {
	r.Rows.Close()
	r.br.Close()
}

// pipelineRow is QueryRow's row over Query's rows.
type pipelineRow struct {
	rows pgx.Rows
	err  error
}

func (r *pipelineRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}
