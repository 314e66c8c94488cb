package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// Inserter enqueues jobs in the caller's transaction. Domain packages take
// it in their Deps; *Queue is the one implementation.
type Inserter interface {
	// InsertTx enqueues args in tx: the job exists once tx commits, and
	// not at all if it rolls back. opts may be nil.
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// WorkerSet is a domain package that works jobs: it adds its workers to
// the bundle with [AddWorker].
type WorkerSet interface {
	RegisterWorkers(w *Workers)
}

// Scheduler is a WorkerSet that also runs jobs of its own on a schedule
// (sweeps). River runs periodic jobs on its elected leader only, so a
// cluster of hearth processes runs each once.
type Scheduler interface {
	PeriodicJobs() []*river.PeriodicJob
}

// QueueSet is a WorkerSet whose jobs go to queues of their own (named in
// their InsertOpts), each with its number of workers: push deliveries,
// mostly waits on the network, run many at once without crowding out the
// default queue's jobs, nor waiting behind them.
type QueueSet interface {
	Queues() map[string]int
}

// Workers is the bundle of job workers a Queue runs.
type Workers struct {
	w *river.Workers
}

// AddWorker adds w as the worker of its args' kind. It panics when the kind
// is registered twice, which is a wiring bug.
func AddWorker[T river.JobArgs](ws *Workers, w river.Worker[T]) {
	river.AddWorker(ws.w, w)
}

// Deps are what the queue needs from the rest of hearth.
type Deps struct {
	Pool   *pgxpool.Pool
	Logger *slog.Logger
}

// Queue is hearth's job queue: a River client on hearth's pool. Build it
// with New, Register the worker sets, Start it, and Stop it at shutdown.
type Queue struct {
	pool     *pgxpool.Pool
	cfg      Config
	log      *slog.Logger
	workers  *Workers
	kinds    int
	periodic []*river.PeriodicJob
	queues   map[string]int
	client   *river.Client[pgx.Tx]
}

var _ Inserter = (*Queue)(nil)

// New returns a queue that is not started yet. cfg must have passed Validate.
func New(deps Deps, cfg Config) *Queue {
	return &Queue{
		pool:    deps.Pool,
		cfg:     cfg,
		log:     deps.Logger.With("component", "jobs"),
		workers: &Workers{w: river.NewWorkers()},
	}
}

// Register adds the workers of each set. It must be called before Start.
func (q *Queue) Register(sets ...WorkerSet) {
	for _, s := range sets {
		s.RegisterWorkers(q.workers)
		q.kinds++
		if sch, ok := s.(Scheduler); ok {
			q.periodic = append(q.periodic, sch.PeriodicJobs()...)
		}
		if qs, ok := s.(QueueSet); ok {
			if q.queues == nil {
				q.queues = map[string]int{}
			}
			maps.Copy(q.queues, qs.Queues())
		}
	}
}

// Start builds the River client and, unless the process is insert-only
// (MaxWorkers 0) or nobody registered workers, starts working jobs until
// Stop. Inserts fail before Start. ctx only bounds the start itself.
func (q *Queue) Start(ctx context.Context) error {
	if q.client != nil {
		return errors.New("jobs: queue already started")
	}
	rc := &river.Config{
		Logger:      q.log,
		JobTimeout:  q.cfg.JobTimeout,
		MaxAttempts: q.cfg.MaxAttempts,
		Workers:     q.workers.w,
	}
	work := q.cfg.MaxWorkers > 0 && q.kinds > 0
	if work {
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: q.cfg.MaxWorkers}}
		for name, n := range q.queues {
			rc.Queues[name] = river.QueueConfig{MaxWorkers: n}
		}
		// River's default is an hour: a job of a crashed process waits that
		// long. Thumbnails and deliveries are short; a job still running
		// after twice its timeout is stuck.
		rc.RescueStuckJobsAfter = 2 * q.cfg.JobTimeout
		rc.PeriodicJobs = q.periodic
	}
	client, err := river.NewClient(riverpgxv5.New(q.pool), rc)
	if err != nil {
		return fmt.Errorf("jobs: new client: %w", err)
	}
	if work {
		// The client lives until Stop, not until the caller's ctx ends.
		if err := client.Start(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("jobs: start: %w", err)
		}
	}
	q.client = client
	return nil
}

// Stop waits up to Config.StopTimeout for running jobs, then cancels them
// (they are retried later, by this process or another). It returns when
// the client has stopped or ctx ends.
func (q *Queue) Stop(ctx context.Context) error {
	if q.client == nil || q.cfg.MaxWorkers == 0 || q.kinds == 0 {
		return nil
	}
	soft, cancel := context.WithTimeout(ctx, q.cfg.StopTimeout)
	defer cancel()
	err := q.client.Stop(soft)
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		q.log.WarnContext(ctx, "jobs still running at shutdown, cancelling them")
		return q.client.StopAndCancel(ctx)
	}
	return err
}

// InsertTx implements [Inserter].
func (q *Queue) InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	if q.client == nil {
		return errors.New("jobs: insert before Start")
	}
	if _, err := q.client.InsertTx(ctx, tx, args, opts); err != nil {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return nil
}

// InsertManyTx enqueues many jobs in tx in one statement (PostgreSQL's
// COPY): they exist once tx commits, and not at all if it rolls back.
func (q *Queue) InsertManyTx(ctx context.Context, tx pgx.Tx, jobs []river.InsertManyParams) error {
	if q.client == nil {
		return errors.New("jobs: insert before Start")
	}
	if len(jobs) == 0 {
		return nil
	}
	if _, err := q.client.InsertManyFastTx(ctx, tx, jobs); err != nil {
		return fmt.Errorf("jobs: insert %d %s jobs: %w", len(jobs), jobs[0].Args.Kind(), err)
	}
	return nil
}

// Insert enqueues args on its own, outside any transaction of the caller.
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if q.client == nil {
		return errors.New("jobs: insert before Start")
	}
	if _, err := q.client.Insert(ctx, args, opts); err != nil {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return nil
}
