package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// superuser is the role initdb creates and URL logs in as.
const superuser = "postgres"

// initdb creates a cluster in the empty dataDir: UTF8 with the C locale
// (bytewise, the same on every machine), trust authentication on the unix
// socket and none over TCP, which the server does not listen on anyway.
func initdb(ctx context.Context, binDir, dataDir string, a *account, ephemeral bool, logger *slog.Logger) error {
	args := []string{
		"-D", dataDir,
		"-U", superuser,
		"--encoding=UTF8",
		"--locale=C",
		"--auth-local=trust",
		"--auth-host=reject",
		"--no-instructions",
	}
	if ephemeral {
		args = append(args, "--no-sync")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "initdb"), args...)
	cmd.Dir = dataDir
	cmd.Env = childEnv()
	cmd.SysProcAttr = sysProcAttr(a, true) // its own session: no Pdeathsig games for a short run
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb %s: %w: %s", dataDir, err, strings.TrimSpace(string(out)))
	}
	logger.InfoContext(ctx, "postgres cluster created", "data_dir", dataDir, "dur", time.Since(start))
	return nil
}

// childEnv is this process's environment without libpq's and postgres's
// variables (PGDATA, PGPORT, ... would override nothing on the command line
// but confuse), in the C locale so that messages are parseable.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}
