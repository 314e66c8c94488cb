package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// port names the socket file (.s.PGSQL.5432); with no TCP listener it
// cannot clash with another server.
const port = 5432

var socketName = ".s.PGSQL." + strconv.Itoa(port)

// maxSocketPath is the longest unix socket path Linux takes: sun_path holds
// 108 bytes, the last one NUL.
const maxSocketPath = 107

// socketDirFor returns the directory for the server's socket: dataDir
// itself, private to the server's user, unless the socket's path would be
// too long; then a new private directory under the temp directory (or /tmp,
// when even that is too long), which temp reports so that Stop removes it.
func socketDirFor(dataDir string, a *account) (dir string, temp bool, err error) {
	if len(filepath.Join(dataDir, socketName)) <= maxSocketPath {
		return dataDir, false, nil
	}
	base := os.TempDir()
	// MkdirTemp adds "/hearth-pg-" and up to 10 digits.
	if len(filepath.Join(base, "hearth-pg-0123456789", socketName)) > maxSocketPath {
		base = "/tmp"
	}
	dir, err = os.MkdirTemp(base, "hearth-pg-")
	if err != nil {
		return "", false, fmt.Errorf("make socket directory: %w", err)
	}
	if err := a.chown(dir); err != nil {
		_ = os.Remove(dir)
		return "", false, fmt.Errorf("make socket directory: %w", err)
	}
	return dir, true, nil
}
