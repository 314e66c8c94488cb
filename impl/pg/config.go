package pg

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Config is the database section of hearth's configuration.
type Config struct {
	// URL is a libpq connection string, as a URL
	// (postgres://user:password@host:5432/hearth?sslmode=verify-full) or as
	// keyword=value pairs. Empty means that hearth serve runs its embedded
	// cluster (package pg/cluster) and uses that cluster's URL.
	URL string `yaml:"url"`
	// MaxConns caps the pool's connections, LISTEN connections excluded.
	MaxConns int32 `yaml:"max_conns"`
	// MinConns is how many idle connections the pool keeps open.
	MinConns int32 `yaml:"min_conns"`
	// MaxConnLifetime closes a connection this long after it was opened, so
	// that servers behind a pooler or a failover rebalance.
	MaxConnLifetime time.Duration `yaml:"max_conn_lifetime"`
	// MaxConnLifetimeJitter spreads those closings, so the pool does not
	// reconnect all at once.
	MaxConnLifetimeJitter time.Duration `yaml:"max_conn_lifetime_jitter"`
	// MaxConnIdleTime closes a connection idle for this long.
	MaxConnIdleTime time.Duration `yaml:"max_conn_idle_time"`
	// HealthCheckPeriod is how often idle connections are checked.
	HealthCheckPeriod time.Duration `yaml:"health_check_period"`
	// ConnectTimeout bounds one connection attempt, unless the URL sets
	// connect_timeout itself.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// ApplicationName is reported to the server (pg_stat_activity), unless
	// the URL sets application_name itself.
	ApplicationName string `yaml:"application_name"`
}

// Defaults returns the configuration used for every field left zero.
func Defaults() Config {
	return Config{
		MaxConns:              20,
		MinConns:              0,
		MaxConnLifetime:       time.Hour,
		MaxConnLifetimeJitter: 5 * time.Minute,
		MaxConnIdleTime:       30 * time.Minute,
		HealthCheckPeriod:     time.Minute,
		ConnectTimeout:        10 * time.Second,
		ApplicationName:       "hearth",
	}
}

// WithDefaults returns c with every zero field set from [Defaults]. URL has
// no default: empty stays empty.
func (c Config) WithDefaults() Config {
	d := Defaults()
	if c.MaxConns == 0 {
		c.MaxConns = d.MaxConns
	}
	if c.MaxConnLifetime == 0 {
		c.MaxConnLifetime = d.MaxConnLifetime
	}
	if c.MaxConnLifetimeJitter == 0 {
		c.MaxConnLifetimeJitter = d.MaxConnLifetimeJitter
	}
	if c.MaxConnIdleTime == 0 {
		c.MaxConnIdleTime = d.MaxConnIdleTime
	}
	if c.HealthCheckPeriod == 0 {
		c.HealthCheckPeriod = d.HealthCheckPeriod
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = d.ConnectTimeout
	}
	if c.ApplicationName == "" {
		c.ApplicationName = d.ApplicationName
	}
	return c
}

// Validate reports every problem of c (after [Config.WithDefaults]) at once,
// joined; it returns nil for a usable configuration. An empty URL is valid.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	if c.URL != "" {
		if _, err := pgxpool.ParseConfig(c.URL); err != nil {
			// pgconn's parse errors redact the password.
			errs = append(errs, fmt.Errorf("database.url: %w", err))
		}
	}
	if c.MaxConns < 1 {
		errs = append(errs, fmt.Errorf("database.max_conns: %d is less than 1", c.MaxConns))
	}
	if c.MinConns < 0 || c.MinConns > c.MaxConns {
		errs = append(errs, fmt.Errorf("database.min_conns: %d is not between 0 and max_conns (%d)", c.MinConns, c.MaxConns))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"max_conn_lifetime", c.MaxConnLifetime},
		{"max_conn_lifetime_jitter", c.MaxConnLifetimeJitter},
		{"max_conn_idle_time", c.MaxConnIdleTime},
		{"health_check_period", c.HealthCheckPeriod},
		{"connect_timeout", c.ConnectTimeout},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("database.%s: %s is negative", d.name, d.v))
		}
	}
	return errors.Join(errs...)
}

// LogValue logs c with the URL's password replaced, so that the whole
// configuration can be logged at start.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("url", RedactURL(c.URL)),
		slog.Int("max_conns", int(c.MaxConns)),
		slog.Int("min_conns", int(c.MinConns)),
		slog.Duration("max_conn_lifetime", c.MaxConnLifetime),
		slog.Duration("max_conn_lifetime_jitter", c.MaxConnLifetimeJitter),
		slog.Duration("max_conn_idle_time", c.MaxConnIdleTime),
		slog.Duration("health_check_period", c.HealthCheckPeriod),
		slog.Duration("connect_timeout", c.ConnectTimeout),
		slog.String("application_name", c.ApplicationName),
	)
}
