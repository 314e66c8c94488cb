package cluster

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Stop shuts the server down: a fast shutdown (SIGINT: clients are
// disconnected, open transactions roll back, a checkpoint is written),
// waiting up to cfg.StopTimeout or until ctx's deadline if that comes first
// (cancellation alone does not cut it short: callers often stop with the
// context a signal cancelled); then an immediate one
// (SIGQUIT: crash recovery at the next start); then SIGKILL. It returns an
// error only when the server survives all three. Stop stops a server Start
// found running (Shared) as well. Later calls return the first call's
// result.
func (c *Cluster) Stop(ctx context.Context) error {
	c.stopOnce.Do(func() {
		c.stopErr = c.stop(ctx)
		c.removeTempSocket()
	})
	return c.stopErr
}

func (c *Cluster) stop(ctx context.Context) error {
	fast := c.cfg.StopTimeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < fast {
		fast = max(time.Until(dl), 0)
	}
	for _, step := range []struct {
		sig  syscall.Signal
		wait time.Duration
	}{
		{syscall.SIGINT, fast},
		{syscall.SIGQUIT, 5 * time.Second},
		{syscall.SIGKILL, 5 * time.Second},
	} {
		if !c.srv.signal(step.sig) {
			return nil // already gone
		}
		if c.srv.waitExit(c.dataDir, step.wait) {
			if step.sig != syscall.SIGINT {
				c.logger.WarnContext(ctx, "postgres did not stop in time", "data_dir", c.dataDir, "pid", c.srv.pid, "signal", step.sig.String())
			} else {
				c.logger.InfoContext(ctx, "postgres stopped", "data_dir", c.dataDir, "pid", c.srv.pid)
			}
			return nil
		}
	}
	return fmt.Errorf("stop postgres (pid %d) in %s: still running after SIGKILL", c.srv.pid, c.dataDir)
}

func (c *Cluster) removeTempSocket() {
	if c.tempSocket {
		_ = os.RemoveAll(c.socketDir)
	}
}
