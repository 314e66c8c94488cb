// Package jobs is hearth's durable background work: a job queue in
// PostgreSQL, on River (riverqueue/river with its pgx v5 driver). Work that
// must survive a restart and be retried with backoff goes here — thumbnails
// today; push delivery, federation sending and clean-ups next — instead of
// goroutines that forget their work when the process stops.
//
// # Who does what
//
//   - impl/pg migrates River's tables together with hearth's (pg.Migrate),
//     under the same advisory lock, so every database hearth or pgtest
//     migrates has them.
//   - impl/app builds one [Queue] from the pool, hands it to each domain
//     package that enqueues (their Deps take the small [Inserter]
//     interface), registers each package that works jobs with
//     [Queue.Register], then calls [Queue.Start]; [Queue.Stop] runs at Close.
//   - A domain package defines its jobs: an args type (a JSON-encodable
//     struct with a Kind method naming it "<package>.<job>") and a worker
//     (a struct embedding river.WorkerDefaults[Args] with a Work method).
//     It exposes a RegisterWorkers(*jobs.Workers) method that calls
//     [AddWorker] for each, which makes it a [WorkerSet].
//
// # Enqueueing
//
// Enqueue with [Queue.InsertTx] in the same transaction as the rows the job
// is about, so that both commit or neither does; a job is then never lost
// nor run for rows that do not exist:
//
//	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
//		if err := s.q.MediaInsert(ctx, tx, ...); err != nil {
//			return err
//		}
//		return s.jobs.InsertTx(ctx, tx, thumbnailArgs{MediaID: id}, nil)
//	})
//
// River wakes a worker through LISTEN/NOTIFY at commit. Any hearth process
// sharing the database may work the job; a job whose process died is
// rescued and retried by the others. Work methods must therefore be
// idempotent (an attempt may run again after a crash) and must return an
// error to be retried (with River's exponential backoff, up to
// Config.MaxAttempts), or river.JobCancel(err) to give up at once.
//
// # Tests
//
// Jobs run for real in tests: servertest starts hearth with its queue, so a
// test that enqueues waits for the job's effect with a deadline poll. A
// process with Config.MaxWorkers 0 only inserts, which tests use to leave a
// job for a second process to pick up.
package jobs
