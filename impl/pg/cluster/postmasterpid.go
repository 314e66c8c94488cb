package cluster

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// postmasterInfo is what a running server wrote in DataDir/postmaster.pid.
type postmasterInfo struct {
	pid       int
	socketDir string
	status    string // "starting", "ready", "stopping", "standby"
}

// readPostmasterPID parses dataDir/postmaster.pid; ok is false when there is
// none. Lines, as of PostgreSQL 10: pid, data directory, start time, port,
// first socket directory, listen address, shared memory key, status.
func readPostmasterPID(dataDir string) (info postmasterInfo, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if errors.Is(err, os.ErrNotExist) {
		return info, false, nil
	}
	if err != nil {
		return info, false, err
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) == 0 {
		return info, true, nil // a postmaster dies between create and write: stale
	}
	info.pid, _ = strconv.Atoi(strings.TrimSpace(lines[0]))
	if len(lines) >= 5 {
		info.socketDir = strings.TrimSpace(lines[4])
	}
	if len(lines) >= 8 {
		info.status = strings.TrimSpace(lines[7])
	}
	return info, true, nil
}

// removeStaleLocks deletes dataDir/postmaster.pid and socketDir's socket
// lock file when the process they name is not a postgres of dataDir: after
// an unclean stop that PID may belong to any process, and postgres then
// refuses to start for fear of a second postmaster. It returns the PID of the
// live postmaster of dataDir, or 0.
func removeStaleLocks(dataDir, socketDir string, logger *slog.Logger) (int, error) {
	info, ok, err := readPostmasterPID(dataDir)
	if err != nil {
		return 0, fmt.Errorf("read postmaster.pid: %w", err)
	}
	if ok {
		if isPostmaster(info.pid, dataDir) {
			return info.pid, nil
		}
		path := filepath.Join(dataDir, "postmaster.pid")
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, fmt.Errorf("remove stale %s: %w", path, err)
		}
		logger.Warn("removed stale postmaster.pid left by an unclean stop", "data_dir", dataDir, "pid", info.pid)
	}
	if socketDir == "" {
		return 0, nil
	}
	lock := filepath.Join(socketDir, socketName+".lock")
	b, err := os.ReadFile(lock)
	if err != nil {
		return 0, nil // none, or not ours to judge
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if !isPostmaster(pid, dataDir) {
		if err := os.Remove(lock); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, fmt.Errorf("remove stale %s: %w", lock, err)
		}
	}
	return 0, nil
}
