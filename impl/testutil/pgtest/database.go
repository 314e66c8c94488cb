package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// testDBPrefix starts every test database's name, followed by its creation
// time in Unix seconds and a random part: hearth_test_1764166000_9f2c01ab.
const testDBPrefix = "hearth_test_"

// staleAfter is the age past which a test database is taken for a leftover
// of a killed run and dropped.
const staleAfter = 6 * time.Hour

// createDatabase clones the template into a new database and returns its name.
func (s *server) createDatabase(ctx context.Context) (string, error) {
	name := newDatabaseName()
	sql := fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", pgx.Identifier{name}.Sanitize(), pgx.Identifier{s.template}.Sanitize())
	if _, err := s.admin.Exec(ctx, sql); err != nil {
		return "", fmt.Errorf("clone %s into %s: %w", s.template, name, err)
	}
	return name, nil
}

// createEmptyDatabase makes a new database from template0 and returns its name.
func (s *server) createEmptyDatabase(ctx context.Context) (string, error) {
	name := newDatabaseName()
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0"); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return name, nil
}

func newDatabaseName() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s%d_%s", testDBPrefix, time.Now().Unix(), hex.EncodeToString(b[:]))
}

// dropDatabase drops name, ending the sessions still connected to it.
func (s *server) dropDatabase(ctx context.Context, name string) error {
	if _, err := s.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// sweepDatabases drops test databases older than staleAfter: cleanups do
// not run when a test binary is killed, and the server outlives it.
func (s *server) sweepDatabases(ctx context.Context) error {
	rows, err := s.admin.Query(ctx, "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", testDBPrefix)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, name := range names {
		secs, _, _ := strings.Cut(strings.TrimPrefix(name, testDBPrefix), "_")
		created, err := strconv.ParseInt(secs, 10, 64)
		if err != nil || time.Since(time.Unix(created, 0)) < staleAfter {
			continue
		}
		if err := s.dropDatabase(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// withDatabase returns the connection string dsn pointed at database name;
// dsn is a URL or keyword=value pairs.
func withDatabase(dsn, name string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			u.Path = "/" + name
			u.RawPath = ""
			q := u.Query()
			q.Del("dbname")
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	// Later keywords win in libpq's keyword=value form.
	return dsn + " dbname=" + name
}
