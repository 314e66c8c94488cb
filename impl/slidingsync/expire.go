package slidingsync

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/hearth-hs/hearth/impl/jobs"
)

// expireArgs is the periodic sweep of connections unused for longer than
// their lifetime (clients coming back to one start again anyway, so this
// only frees the space).
type expireArgs struct{}

func (expireArgs) Kind() string { return "slidingsync.expire" }

type expireWorker struct {
	river.WorkerDefaults[expireArgs]
	s *Service
}

func (w *expireWorker) Work(ctx context.Context, _ *river.Job[expireArgs]) error {
	n, err := w.s.q.SlidingExpire(ctx, w.s.d.Pool, time.Now().Add(-w.s.cfg.ConnectionLifetime))
	if err != nil {
		return fmt.Errorf("expire sliding connections: %w", err)
	}
	if n > 0 {
		w.s.d.Logger.InfoContext(ctx, "expired sliding sync connections", "count", n)
	}
	return nil
}

// RegisterWorkers implements jobs.WorkerSet.
func (s *Service) RegisterWorkers(w *jobs.Workers) { jobs.AddWorker(w, &expireWorker{s: s}) }

// PeriodicJobs implements jobs.Scheduler: the sweep runs hourly.
func (s *Service) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return expireArgs{}, nil }, nil)}
}
