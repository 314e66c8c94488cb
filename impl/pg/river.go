package pg

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// River, the job queue of package jobs, keeps its tables (river_job,
// river_leader, river_queue, ...) in hearth's database. Its schema is
// River's own, versioned by River's migration line rather than goose, so it
// is applied after hearth's migrations, under the same advisory lock: every
// process that migrates (hearth serve, hearth migrate, the test template)
// gets both, and concurrent starts apply each once.

// migrateRiverPool applies River's pending migrations through pool.
func migrateRiverPool(pool *pgxpool.Pool) func(context.Context, *slog.Logger) error {
	return func(ctx context.Context, logger *slog.Logger) error {
		m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: logger})
		if err != nil {
			return err
		}
		return runRiverMigrations(ctx, logger, m.Migrate)
	}
}

// migrateRiverDB applies River's pending migrations through db.
func migrateRiverDB(db *sql.DB) func(context.Context, *slog.Logger) error {
	return func(ctx context.Context, logger *slog.Logger) error {
		m, err := rivermigrate.New(riverdatabasesql.New(db), &rivermigrate.Config{Logger: logger})
		if err != nil {
			return err
		}
		return runRiverMigrations(ctx, logger, m.Migrate)
	}
}

func runRiverMigrations(ctx context.Context, logger *slog.Logger,
	migrate func(context.Context, rivermigrate.Direction, *rivermigrate.MigrateOpts) (*rivermigrate.MigrateResult, error),
) error {
	res, err := migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	for _, v := range res.Versions {
		logger.InfoContext(ctx, "migration applied", "river_version", v.Version, "name", v.Name, "dur", v.Duration)
	}
	return nil
}

// RiverSchemaFingerprint is a short hash of River's migrations as this build
// carries them, for caches of migrated databases (pgtest's templates) that
// must not outlive a River upgrade.
func RiverSchemaFingerprint() string {
	m, err := rivermigrate.New(riverpgxv5.New(nil), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return "river-unknown"
	}
	h := sha256.New()
	for _, v := range m.AllVersions() {
		h.Write([]byte(strconv.Itoa(v.Version) + "\x00" + v.SQLUp + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
