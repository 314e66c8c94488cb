package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// debianRoot is where Debian and Ubuntu install each PostgreSQL major
// version side by side (/usr/lib/postgresql/15/bin).
const debianRoot = "/usr/lib/postgresql"

// findBinDir returns the directory holding initdb and postgres: configured
// if set, else the one matching the version of the cluster already in
// dataDir, else pg_config's, else the newest under debianRoot.
func findBinDir(ctx context.Context, configured, dataDir string) (string, error) {
	if configured != "" {
		if err := hasServerBinaries(configured); err != nil {
			return "", fmt.Errorf("bin_dir %s: %w", configured, err)
		}
		return configured, nil
	}
	var candidates []string
	if v, err := dataVersion(dataDir); err == nil && v != "" {
		candidates = append(candidates, filepath.Join(debianRoot, v, "bin"))
	}
	if out, err := exec.CommandContext(ctx, "pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	candidates = append(candidates, debianVersionDirs()...)
	for _, dir := range candidates {
		if hasServerBinaries(dir) == nil {
			return dir, nil
		}
	}
	return "", errors.New("no PostgreSQL server binaries (initdb, postgres) found: install PostgreSQL (apt-get install postgresql) or set bin_dir")
}

// debianVersionDirs returns debianRoot's */bin directories, newest first.
func debianVersionDirs() []string {
	entries, err := os.ReadDir(debianRoot)
	if err != nil {
		return nil
	}
	type version struct {
		dir   string
		major float64
	}
	var vs []version
	for _, e := range entries {
		// "15", or "9.6" before PostgreSQL 10.
		if m, err := strconv.ParseFloat(e.Name(), 64); err == nil {
			vs = append(vs, version{filepath.Join(debianRoot, e.Name(), "bin"), m})
		}
	}
	slices.SortFunc(vs, func(a, b version) int {
		switch {
		case a.major > b.major:
			return -1
		case a.major < b.major:
			return 1
		}
		return 0
	})
	dirs := make([]string, len(vs))
	for i, v := range vs {
		dirs[i] = v.dir
	}
	return dirs
}

func hasServerBinaries(dir string) error {
	for _, name := range []string{"initdb", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if fi.IsDir() || fi.Mode()&0o111 == 0 {
			return fmt.Errorf("%s is not executable", filepath.Join(dir, name))
		}
	}
	return nil
}

// serverVersion returns the major version of the postgres binary in binDir:
// "15" for "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)".
func serverVersion(ctx context.Context, binDir string) (string, error) {
	out, err := exec.CommandContext(ctx, filepath.Join(binDir, "postgres"), "--version").Output()
	if err != nil {
		return "", fmt.Errorf("postgres --version: %w", err)
	}
	fields := strings.Fields(string(out))
	if len(fields) < 3 {
		return "", fmt.Errorf("postgres --version: unexpected output %q", out)
	}
	return majorOf(fields[2]), nil
}

// majorOf returns the major part of a PostgreSQL version: "15" for "15.18"
// and "15beta2", "9.6" for "9.6.24".
func majorOf(v string) string {
	end := strings.IndexFunc(v, func(r rune) bool { return r != '.' && (r < '0' || r > '9') })
	if end >= 0 {
		v = v[:end]
	}
	parts := strings.Split(v, ".")
	if n, err := strconv.Atoi(parts[0]); err == nil && n < 10 && len(parts) >= 2 {
		return parts[0] + "." + parts[1]
	}
	return parts[0]
}

// dataVersion returns the major version recorded in dataDir's PG_VERSION, or
// "" when dataDir holds no cluster.
func dataVersion(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION"))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}
