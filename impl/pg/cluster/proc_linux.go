package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// isPostmaster reports whether pid is a live postgres process working in
// dataDir (postgres changes into its data directory at start), judged from
// /proc. A reused PID belongs to some other program or directory.
func isPostmaster(pid int, dataDir string) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil {
		// ESRCH: gone. EPERM: another user's process, so not a postmaster
		// this process could have started.
		return false
	}
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return false // a zombie, or not ours to read
	}
	// An upgraded package leaves running binaries marked as deleted.
	if filepath.Base(strings.TrimSuffix(exe, " (deleted)")) != "postgres" {
		return false
	}
	cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
	if err != nil {
		return false
	}
	return cwd == dataDir
}

// sysProcAttr runs postgres as a, in its own process group so that a
// terminal's Ctrl-C reaches hearth (which then stops the cluster in order)
// rather than postgres. A shared server gets its own session and outlives
// this process; any other gets SIGINT, a fast shutdown, when the thread that
// started it dies (startServer keeps that thread alive as long as postgres).
func sysProcAttr(a *account, shared bool) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Credential: a.credential()}
	if shared {
		attr.Setsid = true
	} else {
		attr.Setpgid = true
		attr.Pdeathsig = syscall.SIGINT
	}
	return attr
}
