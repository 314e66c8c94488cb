package slidingsync

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/rooms/timeline"
	"github.com/hearth-hs/hearth/impl/stream"
	"github.com/hearth-hs/hearth/impl/syncer"
)

// Config is the sliding sync part of hearth's configuration.
type Config struct {
	// MaxTimeout bounds how long a request waits for news.
	MaxTimeout time.Duration `yaml:"max_timeout"`
	// ConnectionLifetime is how long an unused connection is kept; a
	// client coming back later starts again (M_UNKNOWN_POS).
	ConnectionLifetime time.Duration `yaml:"connection_lifetime"`
}

// DefaultConfig waits up to five minutes and keeps connections a week.
func DefaultConfig() Config {
	return Config{MaxTimeout: 5 * time.Minute, ConnectionLifetime: 7 * 24 * time.Hour}
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	if c.MaxTimeout <= 0 {
		return errors.New("sliding_sync.max_timeout must be positive")
	}
	if c.ConnectionLifetime < time.Hour {
		return errors.New("sliding_sync.connection_lifetime must be at least an hour")
	}
	return nil
}

// Deps are what sliding sync reads: the room engine and the providers
// /sync reads too.
type Deps struct {
	Pool        *pgxpool.Pool
	Rooms       *rooms.Service
	Timeline    *timeline.Reader
	Notifier    *stream.Notifier
	Logger      *slog.Logger
	AccountData syncer.AccountData
	Ephemeral   syncer.Ephemeral
	Devices     Devices
	Counts      syncer.Counts
	// Summaries keeps the room summaries the room list reads (names,
	// avatars, types, encryption) up to date.
	Summaries Summaries
}

// Devices gives the to_device and e2ee extensions, separately: each has
// its own token, and only to_device's acknowledges messages (a connection
// may carry one without the other, as Element X's encryption connection
// does).
type Devices interface {
	// ToDevice hands out to-device messages up to upto, at most limit (0:
	// the server's), acknowledging those at or before since.
	ToDevice(ctx context.Context, user id.UserID, device id.DeviceID, since, upto stream.Pos, limit int) ([]json.RawMessage, error)
	// KeySections gives device list changes and key counts, without
	// to-device messages.
	KeySections(ctx context.Context, user id.UserID, device id.DeviceID, since, upto stream.Pos) (*syncer.DeviceSections, error)
}

// Summaries refreshes cached room summaries (impl/directory does).
type Summaries interface {
	RefreshSummaries(ctx context.Context, roomIDs []string) error
}

// Service answers sliding sync. It is safe for concurrent use.
type Service struct {
	d   Deps
	q   *db.Queries
	cfg Config
}

// New returns the sliding sync service.
func New(deps Deps, cfg Config) *Service {
	return &Service{d: deps, q: db.New(), cfg: cfg}
}
