package pgtest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Environment variables that choose the server (see the package doc).
const (
	envMode = "HEARTH_TEST_PG"
	envURL  = "HEARTH_TEST_DATABASE_URL"
)

// setupTimeout bounds finding the server and building the template; a first
// container start or cluster initdb takes seconds.
const setupTimeout = 3 * time.Minute

// server is the PostgreSQL server of this test process.
type server struct {
	kind     string // "docker", "cluster" or "url"
	note     string // why the kind was chosen, when not asked for
	adminURL string // DSN of a role that may create databases
	admin    *pgxpool.Pool
	template string

	took            time.Duration // setup, template included
	templateCreated bool
	templateTook    time.Duration
}

var (
	setupOnce sync.Once
	theServer *server
	setupErr  error
)

// getServer returns this process's server, setting it up on first use; it
// fails t when setup failed, now or in an earlier test.
func getServer(t testing.TB) *server {
	t.Helper()
	first := false
	setupOnce.Do(func() {
		first = true
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		theServer, setupErr = setup(ctx)
	})
	if setupErr != nil {
		t.Fatalf("pgtest: %v", setupErr)
	}
	if first {
		s := theServer
		tmpl := "found"
		if s.templateCreated {
			tmpl = fmt.Sprintf("built in %s", s.templateTook.Round(time.Millisecond))
		}
		t.Logf("pgtest: %s server%s ready in %s; template %s %s",
			s.kind, s.note, s.took.Round(time.Millisecond), s.template, tmpl)
	}
	return theServer
}

func setup(ctx context.Context) (*server, error) {
	began := time.Now()
	s := &server{}
	var err error
	switch mode, url := os.Getenv(envMode), os.Getenv(envURL); mode {
	case "docker":
		s.kind = "docker"
		s.adminURL, err = dockerServer(ctx)
	case "cluster":
		s.kind = "cluster"
		s.adminURL, err = clusterServer(ctx)
	case "url":
		s.kind = "url"
		s.adminURL = url
		if url == "" {
			err = fmt.Errorf("%s=url needs %s", envMode, envURL)
		}
	case "":
		switch {
		case url != "":
			s.kind, s.adminURL = "url", url
		default:
			s.kind = "docker"
			s.adminURL, err = dockerServer(ctx)
			if err != nil {
				dockerErr := err
				s.kind, s.note = "cluster", fmt.Sprintf(" (no docker: %v)", dockerErr)
				if s.adminURL, err = clusterServer(ctx); err != nil {
					err = fmt.Errorf("%w (docker was no option either: %v)", err, dockerErr)
				}
			}
		}
	default:
		err = fmt.Errorf("%s=%q: want docker, cluster, url or nothing", envMode, mode)
	}
	if err != nil {
		return nil, fmt.Errorf("%s server: %w", s.kind, err)
	}
	if err := s.open(ctx); err != nil {
		return nil, fmt.Errorf("%s server: %w", s.kind, err)
	}
	s.took = time.Since(began)
	return s, nil
}

// open connects the admin pool, makes sure the template exists, and clears
// databases that killed test runs left behind.
func (s *server) open(ctx context.Context) error {
	pc, err := pgxpool.ParseConfig(s.adminURL)
	if err != nil {
		return fmt.Errorf("parse admin url: %w", err)
	}
	pc.MaxConns = 4
	pc.ConnConfig.RuntimeParams["application_name"] = "hearth-pgtest"
	s.admin, err = pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	if err := s.admin.Ping(ctx); err != nil {
		s.admin.Close()
		return fmt.Errorf("connect: %w", err)
	}
	began := time.Now()
	s.template, s.templateCreated, err = ensureTemplate(ctx, s.admin, s.adminURL)
	if err != nil {
		s.admin.Close()
		return err
	}
	s.templateTook = time.Since(began)
	// Best effort: a leftover database only costs disk.
	_ = s.sweepDatabases(ctx)
	return nil
}
