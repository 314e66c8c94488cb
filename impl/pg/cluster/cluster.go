package cluster

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"strconv"
	"sync"
)

// Cluster is a running PostgreSQL server over one data directory. Its
// methods are safe for concurrent use.
type Cluster struct {
	cfg        Config
	dataDir    string
	socketDir  string
	tempSocket bool // socketDir is ours to remove at Stop
	srv        *server
	logger     *slog.Logger

	stopOnce sync.Once
	stopErr  error
}

// Start runs the cluster of cfg.DataDir, creating it with initdb first when
// the directory holds none, and returns once the server accepts connections
// and cfg.Database exists. When this process is root the server runs as
// cfg.RunAsUser (see the package doc). A postmaster.pid left by an unclean
// stop is removed unless its PID is a live postgres of this data directory;
// such a live server is used as is when cfg.Shared, and is an error
// otherwise. Start fails when no PostgreSQL binaries are found, the data
// directory was made by another major version, or the server does not come
// up within cfg.StartTimeout; the error then ends with the server's last
// output. The caller stops the cluster with [Cluster.Stop].
func Start(ctx context.Context, cfg Config, logger *slog.Logger) (*Cluster, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("start cluster: %w", err)
	}
	c, err := start(ctx, cfg, logger)
	if err != nil {
		return nil, fmt.Errorf("start cluster in %s: %w", cfg.DataDir, err)
	}
	return c, nil
}

func start(ctx context.Context, cfg Config, logger *slog.Logger) (*Cluster, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.StartTimeout)
	defer cancel()

	a, err := runAsAccount(cfg.RunAsUser)
	if err != nil {
		return nil, err
	}
	dataDir, binDir, err := ensureCluster(ctx, cfg, a, logger)
	if err != nil {
		return nil, err
	}
	c := &Cluster{cfg: cfg, dataDir: dataDir, logger: logger}
	livePID, err := removeStaleLocks(dataDir, dataDir, logger)
	if err != nil {
		return nil, err
	}
	if livePID != 0 {
		if err := c.adopt(ctx, livePID); err != nil {
			return nil, err
		}
	} else if err := c.launch(ctx, binDir, a); err != nil {
		return nil, err
	}
	if err := c.ensureDatabase(ctx); err != nil {
		if c.srv.done != nil {
			_ = c.Stop(context.WithoutCancel(ctx))
		}
		return nil, err
	}
	return c, nil
}

// ensureCluster prepares cfg.DataDir for a, finds the binaries and runs
// initdb when the directory holds no cluster yet. It returns the data
// directory as an absolute real path (postgres and /proc speak of that one)
// and the binaries' directory.
func ensureCluster(ctx context.Context, cfg Config, a *account, logger *slog.Logger) (dataDir, binDir string, err error) {
	if dataDir, err = filepath.Abs(cfg.DataDir); err != nil {
		return "", "", err
	}
	if err := prepareDataDir(dataDir, a); err != nil {
		return "", "", err
	}
	if dataDir, err = filepath.EvalSymlinks(dataDir); err != nil {
		return "", "", err
	}
	if binDir, err = findBinDir(ctx, cfg.BinDir, dataDir); err != nil {
		return "", "", err
	}
	binVersion, err := serverVersion(ctx, binDir)
	if err != nil {
		return "", "", err
	}
	switch have, err := dataVersion(dataDir); {
	case err != nil:
		return "", "", err
	case have == "":
		if err := initdb(ctx, binDir, dataDir, a, cfg.Ephemeral, logger); err != nil {
			return "", "", err
		}
	case have != binVersion:
		return "", "", fmt.Errorf("the cluster was made by PostgreSQL %s and %s holds PostgreSQL %s: "+
			"set bin_dir to PostgreSQL %s's binaries, or upgrade the cluster with pg_upgrade", have, binDir, binVersion, have)
	}
	return dataDir, binDir, nil
}

// adopt takes over the live postmaster pid, which a Shared cluster allows.
func (c *Cluster) adopt(ctx context.Context, pid int) error {
	if !c.cfg.Shared {
		return fmt.Errorf("postgres (pid %d) already runs on this data directory: another hearth uses it, "+
			"or one did not stop cleanly; stop that server (kill -INT %d) and start again", pid, pid)
	}
	info, _, err := readPostmasterPID(c.dataDir)
	if err != nil {
		return fmt.Errorf("read postmaster.pid: %w", err)
	}
	c.srv = &server{pid: pid}
	c.socketDir = info.socketDir
	if err := c.waitReady(ctx, func() string { return "" }); err != nil {
		return err
	}
	c.logger.DebugContext(ctx, "postgres already running", "data_dir", c.dataDir, "pid", pid)
	return nil
}

// launch starts a new postmaster and waits until it accepts connections.
func (c *Cluster) launch(ctx context.Context, binDir string, a *account) error {
	sock, temp, err := socketDirFor(c.dataDir, a)
	if err != nil {
		return err
	}
	c.socketDir, c.tempSocket = sock, temp
	args := c.cfg.serverArgs(c.dataDir, c.socketDir)

	// A shared server writes to a file it holds itself (it outlives this
	// process); any other through a pipe into slog.
	var out io.Writer
	var lastOutput func() string
	if c.cfg.Shared {
		logPath := filepath.Join(c.dataDir, "postgres.log")
		f, err := openLogFile(logPath, a)
		if err != nil {
			c.removeTempSocket()
			return err
		}
		defer f.Close() // the child has its own copy
		out, lastOutput = f, func() string { return fileTail(logPath) }
	} else {
		o := newOutputLog(c.logger)
		out, lastOutput = o, o.lastLines
	}
	c.srv, err = startServer(binDir, args, c.dataDir, a, c.cfg.Shared, out)
	if err != nil {
		c.removeTempSocket()
		return err
	}
	if err := c.waitReady(ctx, lastOutput); err != nil {
		_ = c.Stop(context.WithoutCancel(ctx))
		return err
	}
	c.logger.InfoContext(ctx, "postgres started", "data_dir", c.dataDir, "pid", c.srv.pid,
		"bin_dir", binDir, "socket_dir", c.socketDir, "ephemeral", c.cfg.Ephemeral)
	return nil
}

// URL returns a connection string for cfg.Database over the server's unix
// socket, as the superuser "postgres" (trust authentication: only this
// process's user, or root, can open the socket).
func (c *Cluster) URL() string {
	return c.urlFor(c.cfg.Database)
}

func (c *Cluster) urlFor(database string) string {
	u := url.URL{
		Scheme: "postgres",
		User:   url.User(superuser),
		Path:   "/" + database,
		RawQuery: url.Values{
			"host":    {c.socketDir},
			"port":    {strconv.Itoa(port)},
			"sslmode": {"disable"},
		}.Encode(),
	}
	return u.String()
}

// DataDir returns the cluster's data directory, as an absolute real path.
func (c *Cluster) DataDir() string {
	return c.dataDir
}

// PID returns the process ID of the postmaster.
func (c *Cluster) PID() int {
	return c.srv.pid
}
