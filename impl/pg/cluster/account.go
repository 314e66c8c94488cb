package cluster

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

// account is the system user that runs initdb and postgres when this
// process is root; a nil *account means this process's own user.
type account struct {
	name   string
	uid    uint32
	gid    uint32
	groups []uint32
}

// runAsAccount returns the account to run the server as: nil unless this
// process is root, since initdb and postgres refuse to run as root.
func runAsAccount(name string) (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("running as root, so initdb and postgres must run as system user %q: %w "+
			"(install PostgreSQL's Debian package, which creates it, set run_as_user, or run hearth as an unprivileged user)", name, err)
	}
	a := &account{name: name}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user %s: uid %q: %w", name, u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user %s: gid %q: %w", name, u.Gid, err)
	}
	if uid == 0 {
		return nil, fmt.Errorf("run_as_user %s is root, which initdb and postgres refuse", name)
	}
	a.uid, a.gid = uint32(uid), uint32(gid)
	gids, err := u.GroupIds()
	if err != nil {
		return nil, fmt.Errorf("user %s: groups: %w", name, err)
	}
	for _, g := range gids {
		if n, err := strconv.ParseUint(g, 10, 32); err == nil {
			a.groups = append(a.groups, uint32(n))
		}
	}
	return a, nil
}

// credential returns what exec needs to run a child as a, or nil for nil a.
func (a *account) credential() *syscall.Credential {
	if a == nil {
		return nil
	}
	return &syscall.Credential{Uid: a.uid, Gid: a.gid, Groups: a.groups}
}

// chown gives path to a; it does nothing for nil a.
func (a *account) chown(path string) error {
	if a == nil {
		return nil
	}
	return os.Chown(path, int(a.uid), int(a.gid))
}

// canSearch reports whether a may pass through directory fi, judging by its
// mode bits (ACLs are not read).
func (a *account) canSearch(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := fi.Mode().Perm()
	switch {
	case st.Uid == a.uid:
		return perm&0o100 != 0
	case st.Gid == a.gid || slices.Contains(a.groups, st.Gid):
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}

// checkReachable fails, saying what to do, when a cannot pass through every
// directory above dir: postgres could not even open its data directory.
func (a *account) checkReachable(dir string) error {
	if a == nil {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if !a.canSearch(fi) {
			return fmt.Errorf("user %s, who runs postgres because this process is root, cannot reach %s: "+
				"%s (mode %04o) does not let it pass; allow it (chmod o+x %s), put the data directory "+
				"under a directory it can pass (such as /var/lib/hearth), or run hearth as an unprivileged user",
				a.name, dir, p, fi.Mode().Perm(), p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// relocatedRoot is where a root-run cluster lives when its configured data
// directory is somewhere the postgres user cannot reach (a checkout under
// /root, say); the configured path becomes a symbolic link to it.
const relocatedRoot = "/var/lib/hearth/clusters"

// prepareDataDir makes dataDir (mode 0700) and its missing parents (0755),
// gives dataDir to a when it is still empty, and checks that a can reach it.
// When a new cluster's directory is out of a's reach, the cluster is made
// under relocatedRoot instead and dataDir links to it, so that `make run`
// works as root from any checkout.
func prepareDataDir(dataDir string, a *account) error {
	if err := os.MkdirAll(filepath.Dir(dataDir), 0o755); err != nil {
		return err
	}
	if a != nil && !exists(dataDir) && a.checkReachable(dataDir) != nil {
		if err := relocate(dataDir); err != nil {
			return err
		}
	}
	if real, err := filepath.EvalSymlinks(dataDir); err == nil {
		dataDir = real
	}
	if err := os.Mkdir(dataDir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	if a == nil {
		return nil // postgres checks ownership and mode itself
	}
	if err := a.checkReachable(dataDir); err != nil {
		return err
	}
	fi, err := os.Stat(dataDir)
	if err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == a.uid {
		return nil
	}
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("data directory %s is not empty and does not belong to %s, who runs postgres: "+
			"chown -R %s: %s, or choose another directory", dataDir, a.name, a.name, dataDir)
	}
	if err := a.chown(dataDir); err != nil {
		return err
	}
	return os.Chmod(dataDir, 0o700)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// relocate makes dataDir a link to a directory of its own under
// relocatedRoot, named after dataDir's absolute path.
func relocate(dataDir string) error {
	sum := sha256.Sum256([]byte(dataDir))
	target := filepath.Join(relocatedRoot, hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(relocatedRoot, 0o755); err != nil {
		return fmt.Errorf("relocate cluster: %w", err)
	}
	if err := os.Mkdir(target, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("relocate cluster: %w", err)
	}
	if err := os.Symlink(target, dataDir); err != nil {
		return fmt.Errorf("relocate cluster: link %s to %s: %w", dataDir, target, err)
	}
	return nil
}
