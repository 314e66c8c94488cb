package pg

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/hearth-hs/hearth/migrations"
)

// migrationLockID is the advisory lock key held while migrating ("hearthmg"
// in ASCII). Advisory locks are per database, so migrating two databases of
// one server does not serialize.
const migrationLockID int64 = 0x6865617274686d67

// Migrate applies the migrations of package migrations that pool's database
// lacks, in order, each in its own transaction, then River's (the job
// queue's tables, see river.go), and logs each one applied at Info. Several
// processes may migrate one database at once: a session advisory lock, held
// on a connection of its own beside the pool, lets one of them work while
// the others wait, then find nothing left to do. It fails
// when a migration fails (that migration is rolled back, earlier ones stay)
// or ctx ends.
func Migrate(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	// Outside the pool, so that a pool of one connection does not deadlock.
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig)
	if err != nil {
		return fmt.Errorf("migrate database: connect for lock: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	lock := func(ctx context.Context, sql string) error {
		_, err := conn.Exec(ctx, sql, migrationLockID)
		return err
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close() // leaves pool open
	return migrateLocked(ctx, lock, db, migrateRiverPool(pool), logger)
}

// MigrateDB is [Migrate] for a database/sql handle opened with pgx's stdlib
// driver, for callers that have no pool (hearth migrate). The lock takes one
// of db's connections, so db must allow at least two.
func MigrateDB(ctx context.Context, db *sql.DB, logger *slog.Logger) error {
	if db.Stats().MaxOpenConnections == 1 {
		return fmt.Errorf("migrate database: needs two connections, the handle allows one")
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate database: connect for lock: %w", err)
	}
	defer conn.Close()
	lock := func(ctx context.Context, sql string) error {
		_, err := conn.ExecContext(ctx, sql, migrationLockID)
		return err
	}
	return migrateLocked(ctx, lock, db, migrateRiverDB(db), logger)
}

// migrateLocked runs goose's Up, then River's migrations (river.go), while
// holding the migration lock through exec. The lock covers all of Up:
// goose's own session locker leaves out its first step (HasPending creates
// the version table), where concurrent first starts collide and goose
// retries after a second.
func migrateLocked(ctx context.Context, exec func(context.Context, string) error, db *sql.DB,
	river func(context.Context, *slog.Logger) error, logger *slog.Logger,
) (err error) {
	if err := exec(ctx, "SELECT pg_advisory_lock($1)"); err != nil {
		return fmt.Errorf("migrate database: lock: %w", err)
	}
	defer func() {
		// The lock also ends with the connection, closed by the caller.
		_ = exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)")
	}()

	// Migrations are written side by side and may land in another order
	// than their numbers: one numbered below the newest applied is applied
	// rather than refused. Each stands on its own.
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithDisableGlobalRegistry(true),
		goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	results, err := p.Up(ctx)
	for _, r := range results {
		if r.Error == nil {
			logger.InfoContext(ctx, "migration applied", "version", r.Source.Version, "file", r.Source.Path, "dur", r.Duration)
		}
	}
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	if err := river(ctx, logger); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	if len(results) == 0 {
		logger.DebugContext(ctx, "database schema up to date")
	}
	return nil
}
