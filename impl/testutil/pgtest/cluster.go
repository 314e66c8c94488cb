package pgtest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"

	"github.com/hearth-hs/hearth/impl/pg/cluster"
)

// clusterServer starts, or finds running, the local test cluster and returns
// its admin DSN.
//
// Tests cannot hook their process's exit without a TestMain in every
// package, so the cluster is not tied to one process: it lives in
// hearth-pgtest-<uid> under /dev/shm (or $TMPDIR, see clusterParent), is shared by every test process of this
// user, one after another and at once, and stays running between runs, like
// the Docker container. A file lock serializes the processes that start or
// find it. The next run thus pays nothing; a reboot (or
// `kill -INT $(head -1 /dev/shm/hearth-pgtest-<uid>/data/postmaster.pid)`)
// stops it, and the next test run starts it again. It is Ephemeral (no
// fsync): a cluster that will not start after a crash is wiped and made
// anew, which costs about a second.
func clusterServer(ctx context.Context) (string, error) {
	root := filepath.Join(clusterParent(), fmt.Sprintf("hearth-pgtest-%d", os.Getuid()))
	if err := ownDir(root); err != nil {
		return "", err
	}
	unlock, err := lockFile(filepath.Join(root, "lock"))
	if err != nil {
		return "", err
	}
	defer unlock()

	cfg := cluster.Config{
		DataDir:        filepath.Join(root, "data"),
		Database:       "postgres",
		MaxConnections: 300,
		Ephemeral:      true,
		Shared:         true,
	}
	logger := slog.New(slog.DiscardHandler)
	c, err := cluster.Start(ctx, cfg, logger)
	if err != nil {
		// Throwaway data: a cluster that will not start (crash without
		// fsync, PostgreSQL upgraded) is made anew.
		if rmErr := os.RemoveAll(cfg.DataDir); rmErr != nil {
			return "", fmt.Errorf("%w; removing it: %w", err, rmErr)
		}
		c, err = cluster.Start(ctx, cfg, logger)
	}
	if err != nil {
		return "", err
	}
	return c.URL(), nil
}

// minShm is the smallest /dev/shm clusterParent takes: each database costs
// ~8MB, and a container's default /dev/shm of 64MB holds only a few.
const minShm = 1 << 30

// clusterParent returns where the test cluster lives: /dev/shm, a tmpfs on
// Linux, when it is large enough, since on disk (even without fsync) a clone
// takes ~150ms instead of ~20ms on hearth's machines; else the temp
// directory.
func clusterParent() string {
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err == nil && uint64(st.Blocks)*uint64(st.Bsize) >= minShm {
		if syscall.Access("/dev/shm", 0o2 /* W_OK */) == nil {
			return "/dev/shm"
		}
	}
	return os.TempDir()
}

// ownDir makes dir (0755, so that the postgres user passes when tests run as
// root) and fails when it is not a directory of this user: in a shared temp
// directory, another user could have planted it.
func ownDir(dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
		return fmt.Errorf("make %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Getuid() {
		return fmt.Errorf("%s is not a directory of this user: remove it", dir)
	}
	return os.Chmod(dir, 0o755)
}

// lockFile takes an exclusive lock on path, waiting for it; the kernel
// releases it when this process dies.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
