package cluster

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// server is a running postmaster: one this process started (done is closed
// when it exits) or one it found running (done is nil).
type server struct {
	pid  int
	done chan struct{}
	err  error // how the child ended, once done is closed
}

// startServer starts postgres with args as a, writing its output to out.
//
// The child is started and waited for by one goroutine locked to its OS
// thread: Linux sends Pdeathsig when the thread that forked the child exits,
// not the process, and Go may end an idle thread. Locked, this thread lives
// until postgres is gone.
func startServer(binDir string, args []string, dataDir string, a *account, shared bool, out io.Writer) (*server, error) {
	cmd := exec.Command(filepath.Join(binDir, "postgres"), args...)
	cmd.Dir = dataDir
	cmd.Env = childEnv()
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = sysProcAttr(a, shared)

	s := &server{done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Never unlocked: the thread ends with this goroutine, after postgres.
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		s.pid = cmd.Process.Pid
		started <- nil
		s.err = cmd.Wait()
		close(s.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	return s, nil
}

// running reports whether the server is still there.
func (s *server) running(dataDir string) bool {
	if s.done != nil {
		select {
		case <-s.done:
			return false
		default:
			return true
		}
	}
	return isPostmaster(s.pid, dataDir)
}

// waitExit waits up to d for the server to be gone and reports whether it is.
func (s *server) waitExit(dataDir string, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	if s.done != nil {
		select {
		case <-s.done:
			return true
		case <-timer.C:
			return false
		}
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if !isPostmaster(s.pid, dataDir) {
			return true
		}
		select {
		case <-tick.C:
		case <-timer.C:
			return !isPostmaster(s.pid, dataDir)
		}
	}
}

// signal sends sig to the postmaster; it reports false when it is gone.
func (s *server) signal(sig syscall.Signal) bool {
	return syscall.Kill(s.pid, sig) == nil
}

// openLogFile opens path for a shared server's output, truncated: each start
// of the server begins a new log.
func openLogFile(path string, a *account) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open postgres log: %w", err)
	}
	if err := a.chown(path); err != nil {
		f.Close()
		return nil, fmt.Errorf("open postgres log: %w", err)
	}
	return f, nil
}
