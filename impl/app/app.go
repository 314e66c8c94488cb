// Package app builds every part of hearth from its configuration, in
// dependency order, and starts and stops them. Only cmd/hearth and the test
// server (impl/testutil/servertest) use it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	mfed "maunium.net/go/mautrix/federation"

	"github.com/hearth-hs/hearth/impl/accountdata"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/admin"
	"github.com/hearth-hs/hearth/impl/adminapi"
	"github.com/hearth-hs/hearth/impl/appservice"
	"github.com/hearth-hs/hearth/impl/clientapi"
	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/dashboard"
	"github.com/hearth-hs/hearth/impl/directory"
	"github.com/hearth-hs/hearth/impl/e2ee"
	"github.com/hearth-hs/hearth/impl/ephemeral"
	"github.com/hearth-hs/hearth/impl/federation"
	"github.com/hearth-hs/hearth/impl/federationapi"
	"github.com/hearth-hs/hearth/impl/httpserver"
	"github.com/hearth-hs/hearth/impl/jobs"
	"github.com/hearth-hs/hearth/impl/media"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/push"
	"github.com/hearth-hs/hearth/impl/reports"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/rooms/timeline"
	"github.com/hearth-hs/hearth/impl/search"
	"github.com/hearth-hs/hearth/impl/slidingapi"
	"github.com/hearth-hs/hearth/impl/slidingsync"
	"github.com/hearth-hs/hearth/impl/stream"
	"github.com/hearth-hs/hearth/impl/syncer"
	"github.com/hearth-hs/hearth/impl/telemetry"
	"github.com/hearth-hs/hearth/impl/turn"
)

// Version is hearth's version, set by cmd/hearth before New.
var Version = "dev"

// App is a built hearth: its database, services and HTTP server.
type App struct {
	Config   config.Config
	Pool     *pgxpool.Pool
	Accounts *accounts.Service
	Media    *media.Service
	Jobs     *jobs.Queue
	Rooms    *rooms.Service
	Stream   *stream.Notifier
	// Ephemeral holds typing, receipts and presence, and runs their sweepers.
	Ephemeral *ephemeral.Service
	Key       *mfed.SigningKey
	// Push holds push rules, pushers and counts, and delivers notifications.
	Push *push.Service
	// AppServices are the application services' registrations.
	AppServices []appservice.Registration

	log    *slog.Logger
	http   *httpserver.Server
	closes []func(context.Context) error
}

// Options are what tests may change beyond the configuration.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// New builds hearth from cfg: it opens the database (starting the embedded
// cluster when no URL is configured), applies migrations, loads or creates
// the signing key and wires the services and the HTTP server. Close undoes
// it all.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (_ *App, err error) {
	a := &App{Config: cfg, log: log}
	defer func() {
		if err != nil {
			_ = a.Close(context.WithoutCancel(ctx))
		}
	}()
	// Files first: a bad one fails the start before the database does work.
	if a.AppServices, err = loadAppServices(ctx, cfg.AppService, log); err != nil {
		return nil, err
	}
	cert, err := issueCertificate(ctx, cfg, log, opts.Now)
	if err != nil {
		return nil, err
	}
	if a.Pool, err = a.openDatabase(ctx); err != nil {
		return nil, err
	}
	if a.Key, err = federation.LoadOrCreateSigningKey(cfg.SigningKeyPath); err != nil {
		return nil, err
	}
	metrics := telemetry.NewMetrics()
	a.Accounts = accounts.New(accounts.Deps{Pool: a.Pool, ServerName: cfg.ServerName, Logger: log, Now: opts.Now,
		DeviceHook: e2ee.DeviceHook{}}, cfg.AccountsConfig())

	a.Jobs = jobs.New(jobs.Deps{Pool: a.Pool, Logger: log}, cfg.Jobs)
	a.Media, err = media.New(media.Deps{Pool: a.Pool, ServerName: cfg.ServerName, Logger: log, Jobs: a.Jobs, Now: opts.Now}, cfg.Media)
	if err != nil {
		return nil, err
	}
	a.Jobs.Register(a.Media)

	blocklist := admin.NewBlocklist(a.Pool)
	a.Rooms = rooms.New(rooms.Deps{Pool: a.Pool, ServerName: cfg.ServerName, Key: a.Key, Logger: log, Now: opts.Now,
		Profiles: a.Accounts, JoinGuard: blocklist}, cfg.Rooms)
	a.Stream = stream.NewNotifier(a.Pool, log)
	keys := e2ee.New(e2ee.Deps{Pool: a.Pool, ServerName: cfg.ServerName, Logger: log, Accounts: a.Accounts,
		Positions: a.Stream, Now: opts.Now}, cfg.E2EE)
	a.Jobs.Register(keys)

	reader := timeline.New(a.Rooms, log, opts.Now)
	accountData := accountdata.New(accountdata.Deps{Pool: a.Pool, Logger: log})
	a.Ephemeral = ephemeral.New(ephemeral.Deps{Pool: a.Pool, ServerName: cfg.ServerName, Rooms: a.Rooms,
		AccountData: accountData, Users: a.Accounts, Logger: log, Now: opts.Now}, cfg.Typing, cfg.Presence)
	dir := directory.New(directory.Deps{Pool: a.Pool, ServerName: cfg.ServerName, Rooms: a.Rooms, Logger: log})
	a.Push = push.New(push.Deps{Pool: a.Pool, ServerName: cfg.ServerName, Positions: a.Stream, Jobs: a.Jobs,
		AccountData: accountData, Logger: log, Now: opts.Now}, cfg.Push)
	a.Jobs.Register(a.Push)
	syncAccountData := push.SyncAccountData{AccountData: accountData, Push: a.Push}
	reps := reports.New(reports.Deps{Pool: a.Pool, ServerName: cfg.ServerName, Rooms: a.Rooms, Events: reader,
		Users: a.Accounts, Logger: log})
	// Profiles changes display names and avatars, with the member events
	// that repeat them; the room engine reads them through a.Accounts.
	profiles := accounts.NewProfiles(accounts.ProfilesDeps{Accounts: a.Accounts, Members: a.Rooms, Logger: log})
	adm := admin.New(admin.Deps{Profiles: profiles, Pool: a.Pool, ServerName: cfg.ServerName, Version: Version,
		Accounts: a.Accounts, Rooms: a.Rooms, Directory: dir, Media: a.Media, Reports: reps, Blocklist: blocklist,
		Tags: accountData, Jobs: a.Jobs, Logger: log, Now: opts.Now}, cfg.Admin)
	a.Jobs.Register(adm)
	client := clientapi.New(clientapi.Deps{
		Accounts: a.Accounts, Media: a.Media, Rooms: a.Rooms, Timeline: reader, E2EE: keys,
		Sync: syncer.New(syncer.Deps{Devices: syncDevices{keys}, Pool: a.Pool, Rooms: a.Rooms, Timeline: reader, Notifier: a.Stream, Logger: log,
			AccountData: syncAccountData, Ephemeral: a.Ephemeral, Counts: a.Push}, cfg.Sync),
		AccountData: accountData, Ephemeral: a.Ephemeral, Push: a.Push,
		Directory: dir, Reports: reps, Admin: adm, TURN: turn.New(cfg.TURN, opts.Now),
		Profiles: profiles,
		Users:    directory.NewUsers(directory.UsersDeps{Pool: a.Pool, Logger: log}, cfg.UserDirectory),
		Search:   search.New(search.Deps{Pool: a.Pool, Rooms: a.Rooms, Timeline: reader, Logger: log}),
	}, clientapi.Config{
		ServerName:         cfg.ServerName,
		PublicBaseURL:      cfg.PublicBaseURL,
		WellKnown:          cfg.WellKnown,
		DefaultRoomVersion: cfg.Rooms.DefaultRoomVersion,
	})
	slidingSync := slidingsync.New(slidingsync.Deps{Pool: a.Pool, Rooms: a.Rooms, Timeline: reader,
		Notifier: a.Stream, Logger: log, AccountData: syncAccountData, Ephemeral: a.Ephemeral, Summaries: dir, Counts: a.Push,
		Devices: syncDevices{keys}}, cfg.SlidingSync)
	a.Jobs.Register(slidingSync)
	sliding := slidingapi.New(slidingSync)
	fed := federationapi.New(federationapi.Deps{SigningKey: a.Key, OpenID: a.Accounts}, federationapi.Config{
		ServerName:      cfg.ServerName,
		Version:         Version,
		DelegatedServer: cfg.WellKnown.Server,
	})
	a.http, err = httpserver.New(httpserver.Deps{
		Logger:      log,
		Metrics:     metrics,
		Auth:        a.Accounts,
		Healthy:     func(ctx context.Context) error { return a.Pool.Ping(ctx) },
		Certificate: cert,
	}, cfg.HTTP, client.API(), client.DehydratedAPI(), sliding.API(), fed.API(),
		adminapi.New(adminapi.Deps{Accounts: a.Accounts, Admin: adm}).API(), dashboard.API())
	if err != nil {
		return nil, err
	}
	a.startStream(ctx)
	a.startSweepers(ctx)
	// Last: workers may start on jobs at once. Stopped before the pool closes.
	if err := a.Jobs.Start(ctx); err != nil {
		return nil, err
	}
	a.closes = append(a.closes, a.Jobs.Stop)
	// After the queue: delivery enqueues jobs. Stopped before it.
	a.startPush(ctx)
	return a, nil
}

// openDatabase connects to the configured database, or to the embedded
// cluster, and migrates it.
func (a *App) openDatabase(ctx context.Context) (*pgxpool.Pool, error) {
	dbcfg := a.Config.Database
	if dbcfg.URL == "" {
		url, stop, err := startEmbedded(ctx, a.Config.EmbeddedDatabase, a.log)
		if err != nil {
			return nil, err
		}
		a.closes = append(a.closes, stop)
		dbcfg.URL = url
	}
	pool, err := pg.Open(ctx, dbcfg, a.log)
	if err != nil {
		return nil, err
	}
	a.closes = append(a.closes, func(context.Context) error { pool.Close(); return nil })
	if err := pg.Migrate(ctx, pool, a.log); err != nil {
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	return pool, nil
}

// Handler is the HTTP stack, for tests that serve it themselves.
func (a *App) Handler() http.Handler { return a.http.Handler() }

// Serve answers HTTP until ctx ends.
func (a *App) Serve(ctx context.Context) error { return a.http.Serve(ctx) }

// Close releases what New acquired, in reverse order.
func (a *App) Close(ctx context.Context) error {
	var errs []error
	for i := len(a.closes) - 1; i >= 0; i-- {
		errs = append(errs, a.closes[i](ctx))
	}
	a.closes = nil
	return errors.Join(errs...)
}

// startStream runs the stream notifier until Close.
func (a *App) startStream(ctx context.Context) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = a.Stream.Run(ctx)
	}()
	a.closes = append(a.closes, func(context.Context) error {
		cancel()
		<-done
		return nil
	})
}

// startSweepers runs this process's sweepers of typing notices and idle
// users until Close; every process runs them (see impl/ephemeral).
func (a *App) startSweepers(ctx context.Context) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Ephemeral.Run(ctx)
	}()
	a.closes = append(a.closes, func(context.Context) error {
		cancel()
		<-done
		return nil
	})
}

// startPush runs push delivery until Close; one process of those sharing
// the database delivers at a time (see impl/push).
func (a *App) startPush(ctx context.Context) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = a.Push.Run(ctx)
	}()
	a.closes = append(a.closes, func(context.Context) error {
		cancel()
		<-done
		return nil
	})
}
