package e2ee

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/hearth-hs/hearth/impl/jobs"
)

// expireArgs is the periodic sweep of old to-device transaction IDs: they
// make retried sends idempotent, and a retry comes within minutes.
type expireArgs struct{}

func (expireArgs) Kind() string { return "e2ee.expire_txns" }

type expireWorker struct {
	river.WorkerDefaults[expireArgs]
	s *Service
}

func (w *expireWorker) Work(ctx context.Context, _ *river.Job[expireArgs]) error {
	n, err := w.s.q.ToDeviceTxnsExpire(ctx, w.s.pool, w.s.now().Add(-w.s.cfg.ToDeviceTxnLifetime))
	if err != nil {
		return fmt.Errorf("expire to-device transactions: %w", err)
	}
	if n > 0 {
		w.s.log.InfoContext(ctx, "expired to-device transaction IDs", "count", n)
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
