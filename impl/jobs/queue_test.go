package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/jobs"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/testutil"
	"github.com/hearth-hs/hearth/impl/testutil/pgtest"
)

type echoArgs struct {
	Word string `json:"word"`
}

func (echoArgs) Kind() string { return "jobs_test.echo" }

// recorder is a worker set whose one worker records the words it got.
type recorder struct {
	mu    sync.Mutex
	words []string
}

func (r *recorder) RegisterWorkers(w *jobs.Workers) { jobs.AddWorker(w, &echoWorker{r: r}) }

func (r *recorder) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.words...)
}

type echoWorker struct {
	river.WorkerDefaults[echoArgs]
	r *recorder
}

func (w *echoWorker) Work(_ context.Context, job *river.Job[echoArgs]) error {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	w.r.words = append(w.r.words, job.Args.Word)
	return nil
}

// queuedRecorder is a recorder whose jobs have a queue of their own.
type queuedRecorder struct{ recorder }

func (r *queuedRecorder) Queues() map[string]int { return map[string]int{"extra": 2} }

type testBundle struct {
	pool *pgxpool.Pool
}

func setup(t *testing.T) testBundle {
	t.Helper()
	return testBundle{pool: pgtest.New(t)}
}

func start(t *testing.T, pool *pgxpool.Pool, cfg jobs.Config, sets ...jobs.WorkerSet) *jobs.Queue {
	t.Helper()
	q := jobs.New(jobs.Deps{Pool: pool, Logger: testutil.Logger(t)}, cfg)
	q.Register(sets...)
	require.NoError(t, q.Start(t.Context()))
	t.Cleanup(func() { require.NoError(t, q.Stop(context.Background())) })
	return q
}

// eventually polls cond until it holds or a deadline passes.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met before the deadline")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestQueue(t *testing.T) {
	t.Parallel()

	t.Run("a job inserted in a committed transaction is worked", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		rec := &recorder{}
		q := start(t, b.pool, jobs.DefaultConfig(), rec)
		require.NoError(t, pg.InTx(t.Context(), b.pool, func(tx pgx.Tx) error {
			return q.InsertTx(t.Context(), tx, echoArgs{Word: "hello"}, nil)
		}))
		eventually(t, func() bool { return len(rec.seen()) == 1 })
		require.Equal(t, []string{"hello"}, rec.seen())
	})

	t.Run("a job inserted in a rolled back transaction never exists", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		rec := &recorder{}
		q := start(t, b.pool, jobs.Config{MaxWorkers: 0, JobTimeout: time.Minute, MaxAttempts: 1, StopTimeout: time.Second}, rec)
		tx, err := b.pool.Begin(t.Context())
		require.NoError(t, err)
		require.NoError(t, q.InsertTx(t.Context(), tx, echoArgs{Word: "lost"}, nil))
		require.NoError(t, tx.Rollback(t.Context()))
		var n int
		require.NoError(t, b.pool.QueryRow(t.Context(), "SELECT count(*) FROM river_job").Scan(&n))
		require.Zero(t, n)
	})

	t.Run("a job left by an insert-only process is worked by the next one", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		insertOnly := jobs.DefaultConfig()
		insertOnly.MaxWorkers = 0
		first := &recorder{}
		q1 := start(t, b.pool, insertOnly, first)
		require.NoError(t, q1.Insert(t.Context(), echoArgs{Word: "survivor"}, nil))

		second := &recorder{}
		start(t, b.pool, jobs.DefaultConfig(), second)
		eventually(t, func() bool { return len(second.seen()) == 1 })
		require.Empty(t, first.seen())
	})

	t.Run("a queue set's jobs are worked in their own queue", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		rec := &queuedRecorder{}
		q := start(t, b.pool, jobs.DefaultConfig(), rec)
		require.NoError(t, pg.InTx(t.Context(), b.pool, func(tx pgx.Tx) error {
			return q.InsertManyTx(t.Context(), tx, []river.InsertManyParams{
				{Args: echoArgs{Word: "one"}, InsertOpts: &river.InsertOpts{Queue: "extra"}},
				{Args: echoArgs{Word: "two"}, InsertOpts: &river.InsertOpts{Queue: "extra"}},
			})
		}))
		eventually(t, func() bool { return len(rec.seen()) == 2 })
		var queue string
		require.NoError(t, b.pool.QueryRow(t.Context(), "SELECT DISTINCT queue FROM river_job").Scan(&queue))
		require.Equal(t, "extra", queue)
	})

	t.Run("an unregistered kind is refused at insert", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		q := start(t, b.pool, jobs.DefaultConfig())
		require.Error(t, q.Insert(t.Context(), echoArgs{Word: "nobody"}, nil))
	})
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, jobs.DefaultConfig().Validate())
	bad := jobs.DefaultConfig()
	bad.MaxWorkers, bad.JobTimeout, bad.MaxAttempts = -1, 0, 0
	err := bad.Validate()
	require.ErrorContains(t, err, "max_workers")
	require.ErrorContains(t, err, "job_timeout")
	require.ErrorContains(t, err, "max_attempts")
}
