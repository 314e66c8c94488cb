package pgtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/migrations"
)

// templateLockID is the advisory lock key ("hearthtl" in ASCII) held while a
// process checks for or builds the template, so that parallel test
// processes build it once.
const templateLockID int64 = 0x6865617274687470

// migrationsHash returns a short hash of the names and contents of every
// migration file and of River's migrations, so that a changed schema gets
// its own template.
func migrationsHash() (string, error) {
	h := sha256.New()
	var names []string
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			names = append(names, path)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	// River's tables are migrated with ours (pg.Migrate): a River upgrade
	// needs a new template too.
	fmt.Fprintf(h, "river\x00%s\x00", pg.RiverSchemaFingerprint())
	for _, name := range names {
		b, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// ensureTemplate returns the name of the template database of the current
// migrations, building it first when the server lacks it: create, migrate,
// disconnect, then mark it a template that accepts no connections. The mark
// comes last, so a database without it is a build that died halfway and is
// dropped and built again.
func ensureTemplate(ctx context.Context, admin *pgxpool.Pool, adminURL string) (name string, created bool, err error) {
	hash, err := migrationsHash()
	if err != nil {
		return "", false, fmt.Errorf("hash migrations: %w", err)
	}
	name = "hearth_tmpl_" + hash
	conn, err := admin.Acquire(ctx)
	if err != nil {
		return "", false, fmt.Errorf("template %s: %w", name, err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLockID); err != nil {
		return "", false, fmt.Errorf("template %s: lock: %w", name, err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", templateLockID)
	}()

	var isTemplate bool
	err = conn.QueryRow(ctx, "SELECT datistemplate FROM pg_database WHERE datname = $1", name).Scan(&isTemplate)
	switch {
	case err == nil && isTemplate:
		return name, false, markUsed(ctx, conn.Conn(), name)
	case err == nil:
		if _, err := conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			return "", false, fmt.Errorf("template %s: drop unfinished: %w", name, err)
		}
	case !pg.IsNoRows(err):
		return "", false, fmt.Errorf("template %s: look up: %w", name, err)
	}
	if err := buildTemplate(ctx, conn.Conn(), adminURL, name); err != nil {
		return "", false, fmt.Errorf("template %s: %w", name, err)
	}
	if err := markUsed(ctx, conn.Conn(), name); err != nil {
		return "", false, err
	}
	// Best effort: an old template only costs disk.
	_ = sweepTemplates(ctx, conn.Conn())
	return name, true, nil
}

// markUsed records in the template's comment when a test process last
// used it, for sweepTemplates.
func markUsed(ctx context.Context, conn *pgx.Conn, name string) error {
	sql := fmt.Sprintf("COMMENT ON DATABASE %s IS '%s%d'", pgx.Identifier{name}.Sanitize(), usedPrefix, time.Now().Unix())
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("template %s: mark used: %w", name, err)
	}
	return nil
}

// usedPrefix starts a template's comment, followed by Unix seconds.
const usedPrefix = "hearth-pgtest last used "

// templateUnusedFor is how long a template goes unused before
// sweepTemplates drops it: each edit of a migration makes a new one, and
// the servers live long.
const templateUnusedFor = 24 * time.Hour

// sweepTemplates drops the templates of other migration hashes that no test
// process used for templateUnusedFor.
func sweepTemplates(ctx context.Context, conn *pgx.Conn) error {
	rows, err := conn.Query(ctx, `SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '')
		FROM pg_database WHERE starts_with(datname, 'hearth_tmpl_') AND datistemplate`)
	if err != nil {
		return err
	}
	var stale []string
	var name, comment string
	_, err = pgx.ForEachRow(rows, []any{&name, &comment}, func() error {
		secs, err := strconv.ParseInt(strings.TrimPrefix(comment, usedPrefix), 10, 64)
		if err == nil && time.Since(time.Unix(secs, 0)) >= templateUnusedFor {
			stale = append(stale, name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range stale {
		ident := pgx.Identifier{name}.Sanitize()
		if _, err := conn.Exec(ctx, "ALTER DATABASE "+ident+" WITH IS_TEMPLATE false"); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, "DROP DATABASE "+ident); err != nil {
			return err
		}
	}
	return nil
}

func buildTemplate(ctx context.Context, conn *pgx.Conn, adminURL, name string) error {
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	pool, err := pg.Open(ctx, pg.Config{URL: withDatabase(adminURL, name), MaxConns: 2}, discard)
	if err != nil {
		return err
	}
	err = pg.Migrate(ctx, pool, discard)
	pool.Close() // before the clone: a template must have no sessions
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+ident+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
		return fmt.Errorf("mark as template: %w", err)
	}
	return nil
}
