package admin

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/directory"
	"github.com/hearth-hs/hearth/impl/jobs"
	"github.com/hearth-hs/hearth/impl/media"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/reports"
	"github.com/hearth-hs/hearth/impl/rooms"
)

// Config is the admin part of hearth's configuration.
type Config struct {
	// ServerNotices is the system user and room of server notices.
	ServerNotices ServerNoticesConfig `yaml:"server_notices"`
}

// ServerNoticesConfig names the system user sending server notices and the
// room it sends them in.
type ServerNoticesConfig struct {
	// SystemUser is the localpart of the user sending notices; the
	// registration config reserves "notices" by default.
	SystemUser string `yaml:"system_user"`
	// RoomName is the name of each user's server notices room.
	RoomName string `yaml:"room_name"`
}

// DefaultConfig returns the configuration hearth runs with when nothing is set.
func DefaultConfig() Config {
	return Config{ServerNotices: ServerNoticesConfig{SystemUser: "notices", RoomName: "Server Notices"}}
}

// Validate reports problems in c.
func (c Config) Validate() error {
	if c.ServerNotices.SystemUser == "" {
		return errors.New("admin.server_notices.system_user must not be empty")
	}
	return nil
}

// Profiles sets users' display names and avatars; the admin API's
// create-or-modify-user writes them through it. Nil leaves them unset.
type Profiles interface {
	SetProfile(ctx context.Context, user id.UserID, displayName, avatarURL *string) error
}

// Tags sets a user's tags on rooms: server notices rooms are tagged
// m.server_notice, which clients show apart. Nil leaves them untagged.
type Tags interface {
	SetTag(ctx context.Context, user id.UserID, room id.RoomID, tag string, content []byte) error
}

// Deps are what the admin operations need.
type Deps struct {
	Pool       *pgxpool.Pool
	ServerName string
	// Version is hearth's version, for server_version and the overview.
	Version string
	// Started is when this process started, for the overview's uptime.
	Started   time.Time
	Accounts  *accounts.Service
	Rooms     *rooms.Service
	Directory *directory.Service
	Media     *media.Service
	Reports   *reports.Service
	Blocklist *Blocklist
	Profiles  Profiles
	Tags      Tags
	// Jobs enqueues room deletions in the transaction that records them.
	Jobs   jobs.Inserter
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service runs admin operations. It is safe for concurrent use, by several
// hearth processes sharing a database too.
type Service struct {
	pool       *pgxpool.Pool
	q          *db.Queries
	cfg        Config
	serverName string
	version    string
	started    time.Time
	accounts   *accounts.Service
	rooms      *rooms.Service
	dir        *directory.Service
	media      *media.Service
	reports    *reports.Service
	blocklist  *Blocklist
	profiles   Profiles
	tags       Tags
	jobs       jobs.Inserter
	log        *slog.Logger
	now        func() time.Time
}

// New returns the admin service. cfg must have passed Validate.
func New(deps Deps, cfg Config) *Service {
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	started := deps.Started
	if started.IsZero() {
		started = now()
	}
	return &Service{
		pool: deps.Pool, q: db.New(), cfg: cfg, serverName: deps.ServerName, version: deps.Version, started: started,
		accounts: deps.Accounts, rooms: deps.Rooms, dir: deps.Directory, media: deps.Media, reports: deps.Reports,
		blocklist: deps.Blocklist, profiles: deps.Profiles, tags: deps.Tags, jobs: deps.Jobs, log: deps.Logger, now: now,
	}
}

// Version is the server version the admin API announces.
func (s *Service) Version() string { return "hearth/" + s.version }

var errNotAdmin = mxerr.New(mxerr.Forbidden, "only server admins may do this")

// authorize lets server admins through. The HTTP server refuses others
// already; this holds for callers that are not HTTP requests.
func authorize(actor accounts.Principal) error {
	if !actor.IsAdmin {
		return errNotAdmin
	}
	return nil
}

// localUser refuses users of other servers, which admins cannot manage
// here.
func (s *Service) localUser(user id.UserID) error {
	if user.Homeserver() != s.serverName {
		return mxerr.New(mxerr.InvalidParam, "%s is not a user of this server", user)
	}
	return nil
}

// audit records an admin action. The action has happened by now, so a
// failure to record it is logged rather than undone.
func (s *Service) audit(ctx context.Context, actor accounts.Principal, action, target string, details any) {
	b := []byte("{}")
	if details != nil {
		if enc, err := json.Marshal(details); err == nil {
			b = enc
		}
	}
	err := s.q.AuditInsert(ctx, s.pool, db.AuditInsertParams{Actor: string(actor.UserID), Action: action, Target: target,
		Details: b, CreatedAt: s.now()})
	if err != nil {
		s.log.ErrorContext(ctx, "record admin action", "action", action, "user_id", actor.UserID, "err", err)
		return
	}
	s.log.InfoContext(ctx, "admin action", "action", action, "target", target, "user_id", actor.UserID)
}
