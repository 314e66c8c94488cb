package cluster

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Config says where a cluster lives and how its server runs.
type Config struct {
	// DataDir holds the cluster. Start runs initdb there when it holds none,
	// and keeps what it holds across restarts. Relative paths are taken from
	// the working directory.
	DataDir string `yaml:"data_dir"`
	// BinDir holds initdb and postgres. Empty: the directory of the data
	// directory's PostgreSQL version under /usr/lib/postgresql, else
	// `pg_config --bindir` when pg_config is on PATH, else the newest
	// /usr/lib/postgresql/*/bin.
	BinDir string `yaml:"bin_dir"`
	// Database is created at start if missing; URL points at it.
	Database string `yaml:"database"`
	// RunAsUser is the system user that runs initdb and postgres when this
	// process is root. It is ignored otherwise: they run as this process's
	// user.
	RunAsUser string `yaml:"run_as_user"`
	// SharedBuffers is postgres's shared_buffers, in its units ("128MB").
	SharedBuffers string `yaml:"shared_buffers"`
	// MaxConnections is postgres's max_connections.
	MaxConnections int `yaml:"max_connections"`
	// StartTimeout bounds initdb plus the wait for the server to accept
	// connections (crash recovery after an unclean stop happens then).
	StartTimeout time.Duration `yaml:"start_timeout"`
	// StopTimeout is how long Stop waits for a fast shutdown before it
	// escalates to an immediate one, then to SIGKILL.
	StopTimeout time.Duration `yaml:"stop_timeout"`
	// Settings are more server settings, passed as -c name=value after
	// hearth's own, so they win.
	Settings map[string]string `yaml:"settings"`

	// Ephemeral marks a throwaway cluster for tests: durability is traded
	// for speed (fsync, synchronous_commit and full_page_writes off, initdb
	// --no-sync). A machine crash may then corrupt it.
	Ephemeral bool `yaml:"-"`
	// Shared marks a cluster that several processes use one after the other
	// (pgtest's cluster, shared by all test binaries): postgres runs in its
	// own session, logs to DataDir/postgres.log and outlives this process,
	// and Start uses the postmaster already running on DataDir instead of
	// failing. Callers serialize their Starts themselves (a file lock).
	Shared bool `yaml:"-"`
}

// Defaults returns the configuration used for every field left zero.
func Defaults() Config {
	return Config{
		DataDir:        "data/postgres",
		Database:       "hearth",
		RunAsUser:      "postgres",
		SharedBuffers:  "128MB",
		MaxConnections: 100,
		StartTimeout:   time.Minute,
		StopTimeout:    30 * time.Second,
	}
}

// WithDefaults returns c with every zero field set from [Defaults].
func (c Config) WithDefaults() Config {
	d := Defaults()
	if c.DataDir == "" {
		c.DataDir = d.DataDir
	}
	if c.Database == "" {
		c.Database = d.Database
	}
	if c.RunAsUser == "" {
		c.RunAsUser = d.RunAsUser
	}
	if c.SharedBuffers == "" {
		c.SharedBuffers = d.SharedBuffers
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = d.MaxConnections
	}
	if c.StartTimeout == 0 {
		c.StartTimeout = d.StartTimeout
	}
	if c.StopTimeout == 0 {
		c.StopTimeout = d.StopTimeout
	}
	return c
}

// Validate reports every problem of c (after [Config.WithDefaults]) at once,
// joined; nil means Start may be tried.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	if c.MaxConnections < 1 {
		errs = append(errs, fmt.Errorf("cluster.max_connections: %d is less than 1", c.MaxConnections))
	}
	if c.StartTimeout < 0 {
		errs = append(errs, fmt.Errorf("cluster.start_timeout: %s is negative", c.StartTimeout))
	}
	if c.StopTimeout < 0 {
		errs = append(errs, fmt.Errorf("cluster.stop_timeout: %s is negative", c.StopTimeout))
	}
	return errors.Join(errs...)
}

// LogValue logs c as a group; it holds no secret.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("data_dir", c.DataDir),
		slog.String("bin_dir", c.BinDir),
		slog.String("database", c.Database),
		slog.Bool("ephemeral", c.Ephemeral),
		slog.Bool("shared", c.Shared),
	)
}

// serverArgs returns postgres's command line for a cluster in dataDir whose
// socket lives in socketDir. Settings go on the command line rather than in
// postgresql.conf, so that they hold on every start whatever the file says.
func (c Config) serverArgs(dataDir, socketDir string) []string {
	settings := [][2]string{
		{"listen_addresses", ""},
		{"port", strconv.Itoa(port)},
		{"unix_socket_directories", socketDir},
		{"unix_socket_permissions", "0700"},
		{"max_connections", strconv.Itoa(c.MaxConnections)},
		{"shared_buffers", c.SharedBuffers},
	}
	if c.Shared {
		// Output goes to a file shared by many runs: keep it readable.
		settings = append(settings, [2]string{"log_line_prefix", "%m [%p] "})
	} else {
		// Output goes through slog, which stamps its own time.
		settings = append(settings, [2]string{"log_line_prefix", ""})
	}
	if c.Ephemeral {
		settings = append(settings,
			[2]string{"fsync", "off"},
			[2]string{"synchronous_commit", "off"},
			[2]string{"full_page_writes", "off"},
			[2]string{"wal_level", "minimal"},
			[2]string{"max_wal_senders", "0"},
			[2]string{"log_checkpoints", "off"},
		)
	}
	args := []string{"-D", dataDir}
	for _, s := range settings {
		args = append(args, "-c", s[0]+"="+s[1])
	}
	for _, k := range slices.Sorted(maps.Keys(c.Settings)) {
		args = append(args, "-c", k+"="+c.Settings[k])
	}
	return args
}
