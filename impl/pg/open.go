package pg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Open returns a pool on cfg.URL with cfg's limits (see [Config.WithDefaults])
// and application_name set, after one successful ping. It fails when the URL
// is empty or malformed or the server cannot be reached before ctx ends;
// errors never contain the password. The caller closes the pool. When logger
// is enabled for Debug, every SQL statement is logged at Debug (without its
// arguments, which may hold secrets).
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*pgxpool.Pool, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if cfg.URL == "" {
		return nil, errors.New("open database: no url configured")
	}
	pc, err := poolConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if logger.Enabled(ctx, slog.LevelDebug) {
		pc.ConnConfig.Tracer = newTracer(logger)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", RedactURL(cfg.URL), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open database %s: %w", RedactURL(cfg.URL), err)
	}
	logger.InfoContext(ctx, "database pool open", "database", cfg)
	return pool, nil
}

// poolConfig parses cfg.URL and applies cfg's explicit settings: pgxpool's
// own defaults are never relied upon.
func poolConfig(cfg Config) (*pgxpool.Config, error) {
	pc, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, err // *pgconn.ParseConfigError, password redacted
	}
	pc.MaxConns = cfg.MaxConns
	pc.MinConns = cfg.MinConns
	pc.MaxConnLifetime = cfg.MaxConnLifetime
	pc.MaxConnLifetimeJitter = cfg.MaxConnLifetimeJitter
	pc.MaxConnIdleTime = cfg.MaxConnIdleTime
	pc.HealthCheckPeriod = cfg.HealthCheckPeriod
	if pc.ConnConfig.ConnectTimeout == 0 {
		pc.ConnConfig.ConnectTimeout = cfg.ConnectTimeout
	}
	// Sent in the startup message: no round trip per connection.
	if _, ok := pc.ConnConfig.RuntimeParams["application_name"]; !ok {
		pc.ConnConfig.RuntimeParams["application_name"] = cfg.ApplicationName
	}
	// hearth's statements are short: where the planner estimates many rows
	// (a search term matching much), compiling them takes longer than
	// running them. A URL's own jit setting wins.
	if _, ok := pc.ConnConfig.RuntimeParams["jit"]; !ok {
		pc.ConnConfig.RuntimeParams["jit"] = "off"
	}
	return pc, nil
}
