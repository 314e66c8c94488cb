package rooms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"maunium.net/go/mautrix/federation"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/state"
)

// Config is the rooms part of hearth's configuration.
type Config struct {
	// DefaultRoomVersion is the version of new rooms that ask for none.
	DefaultRoomVersion string `yaml:"default_room_version"`
	// StateCacheEntries bounds the state snapshots kept in memory, counted
	// in state entries.
	StateCacheEntries int `yaml:"state_cache_entries"`
}

// CreatableVersions are the room versions hearth creates rooms in. Rooms of
// every version from 1 are accepted over federation.
var CreatableVersions = []id.RoomVersion{id.RoomV10, id.RoomV11, id.RoomV12}

// DefaultConfig creates version 11 rooms.
func DefaultConfig() Config {
	return Config{DefaultRoomVersion: string(id.RoomV11), StateCacheEntries: 1 << 20}
}

// Validate reports problems in c.
func (c Config) Validate() error {
	if !slices.Contains(CreatableVersions, id.RoomVersion(c.DefaultRoomVersion)) {
		return fmt.Errorf("rooms.default_room_version %q: hearth creates rooms of versions %v", c.DefaultRoomVersion, CreatableVersions)
	}
	if c.StateCacheEntries < 0 {
		return errors.New("rooms.state_cache_entries must not be negative")
	}
	return nil
}

// Profiles gives the display name and avatar a user's member events carry.
type Profiles interface {
	Profile(ctx context.Context, user id.UserID) (displayName, avatarURL string, err error)
}

// Deps are what the room engine needs.
type Deps struct {
	Pool       *pgxpool.Pool
	ServerName string
	Key        *federation.SigningKey
	Logger     *slog.Logger
	// Profiles may be nil: member events then carry no profile.
	Profiles Profiles
	// JoinGuard may be nil: every room may then be joined.
	JoinGuard JoinGuard
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service is the room engine. It is safe for concurrent use, by several
// hearth processes sharing a database too.
type Service struct {
	pool       *pgxpool.Pool
	q          *db.Queries
	serverName string
	signer     events.Signer
	state      *state.Store
	profiles   Profiles
	joinGuard  JoinGuard
	log        *slog.Logger
	now        func() time.Time
	cfg        Config
}

// New returns the room engine. cfg must have passed Validate.
func New(deps Deps, cfg Config) *Service {
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	return &Service{
		pool:       deps.Pool,
		q:          db.New(),
		serverName: deps.ServerName,
		signer:     events.Signer{ServerName: deps.ServerName, Key: deps.Key},
		state:      state.NewStore(deps.Pool, cfg.StateCacheEntries),
		profiles:   deps.Profiles,
		joinGuard:  deps.JoinGuard,
		log:        deps.Logger,
		now:        now,
		cfg:        cfg,
	}
}

// State is the snapshot store, for the readers built on this service.
func (s *Service) State() *state.Store { return s.state }

// Pool is the database, for the readers built on this service.
func (s *Service) Pool() *pgxpool.Pool { return s.pool }

// IsLocal tells whether a user belongs to this server.
func (s *Service) IsLocal(user id.UserID) bool { return user.Homeserver() == s.serverName }
