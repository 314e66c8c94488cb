package jobs

import (
	"errors"
	"time"
)

// Config is the job queue part of hearth's configuration.
type Config struct {
	// MaxWorkers is how many jobs this process works at once. 0 makes the
	// process insert-only: its jobs are worked by other processes sharing
	// the database.
	MaxWorkers int `yaml:"max_workers"`
	// JobTimeout bounds one attempt of a job; its context is cancelled then.
	JobTimeout time.Duration `yaml:"job_timeout"`
	// MaxAttempts is how often a failing job is tried before it is
	// discarded, with exponential backoff between attempts.
	MaxAttempts int `yaml:"max_attempts"`
	// StopTimeout is how long Stop waits for running jobs before it
	// cancels them (they are retried by the next process).
	StopTimeout time.Duration `yaml:"stop_timeout"`
}

// DefaultConfig returns the configuration hearth runs with when nothing is set.
func DefaultConfig() Config {
	return Config{
		MaxWorkers:  4,
		JobTimeout:  2 * time.Minute,
		MaxAttempts: 12,
		StopTimeout: 10 * time.Second,
	}
}

// Validate reports every problem in c.
func (c Config) Validate() error {
	var errs []error
	if c.MaxWorkers < 0 || c.MaxWorkers > 10000 {
		errs = append(errs, errors.New("jobs.max_workers: want 0 (insert only) to 10000"))
	}
	if c.JobTimeout <= 0 {
		errs = append(errs, errors.New("jobs.job_timeout must be positive"))
	}
	if c.MaxAttempts < 1 {
		errs = append(errs, errors.New("jobs.max_attempts must be at least 1"))
	}
	if c.StopTimeout <= 0 {
		errs = append(errs, errors.New("jobs.stop_timeout must be positive"))
	}
	return errors.Join(errs...)
}
