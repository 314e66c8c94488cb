package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// waitReady polls until the server accepts a connection, it exits, or ctx
// ends; lastOutput tells why in the error.
func (c *Cluster) waitReady(ctx context.Context, lastOutput func() string) error {
	admin := c.urlFor("postgres")
	var lastErr error
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgconn.Connect(attempt, admin)
		cancel()
		if err == nil {
			_ = conn.Close(ctx)
			return nil
		}
		lastErr = err
		if !c.srv.running(c.dataDir) {
			why := ""
			if c.srv.err != nil {
				why = ": " + c.srv.err.Error()
			}
			return fmt.Errorf("postgres exited before accepting connections%s\n%s", why, lastOutput())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("postgres did not accept connections in time: %w\n%s", lastErr, lastOutput())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// ensureDatabase creates cfg.Database unless it exists.
func (c *Cluster) ensureDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.urlFor("postgres"))
	if err != nil {
		return fmt.Errorf("connect to create database %s: %w", c.cfg.Database, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", c.cfg.Database).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", c.cfg.Database, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{c.cfg.Database}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: created meanwhile
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", c.cfg.Database, err)
	}
	return nil
}
