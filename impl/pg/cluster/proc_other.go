//go:build !linux

package cluster

import "syscall"

// isPostmaster reports whether pid is alive. Without /proc it cannot tell a
// postgres of dataDir from a process that reused the PID.
func isPostmaster(pid int, dataDir string) bool {
	return pid > 0 && syscall.Kill(pid, 0) == nil
}

// sysProcAttr runs postgres as a, in its own process group (session, when
// shared). Without Pdeathsig, a server whose parent dies keeps running until
// the next Start, which finds it in postmaster.pid.
func sysProcAttr(a *account, shared bool) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Credential: a.credential()}
	if shared {
		attr.Setsid = true
	} else {
		attr.Setpgid = true
	}
	return attr
}
