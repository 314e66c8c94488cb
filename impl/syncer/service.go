package syncer

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/rooms/timeline"
	"github.com/hearth-hs/hearth/impl/stream"
)

// Config is the sync part of hearth's configuration.
type Config struct {
	// TimelineLimit is a room timeline's length when the filter sets none.
	TimelineLimit int `yaml:"timeline_limit"`
	// MaxTimeout bounds how long a sync waits for news.
	MaxTimeout time.Duration `yaml:"max_timeout"`
}

// DefaultConfig returns the defaults: timelines of 10 events, waits of up to
// five minutes.
func DefaultConfig() Config {
	return Config{TimelineLimit: 10, MaxTimeout: 5 * time.Minute}
}

// Section providers: the domain packages that own what /sync carries beyond
// rooms' events. Each returns what changed for the user in (since, upto]
// (everything current when since is zero). A nil provider contributes
// nothing.

// AccountData gives account data events ({"type", "content"}).
type AccountData interface {
	GlobalAccountData(ctx context.Context, user id.UserID, since, upto stream.Pos) ([]json.RawMessage, error)
	RoomAccountData(ctx context.Context, user id.UserID, rooms []id.RoomID, since, upto stream.Pos) (map[id.RoomID][]json.RawMessage, error)
}

// Ephemeral gives rooms' ephemeral events (m.typing, m.receipt) and the
// presence of the user's contacts (m.presence).
type Ephemeral interface {
	RoomEphemeral(ctx context.Context, user id.UserID, rooms []id.RoomID, since, upto stream.Pos) (map[id.RoomID][]json.RawMessage, error)
	Presence(ctx context.Context, user id.UserID, since, upto stream.Pos) ([]json.RawMessage, error)
	// SetPresence records the set_presence of a sync ("" when omitted,
	// which means online); it is called for every sync.
	SetPresence(ctx context.Context, user id.UserID, presence string) error
}

// Devices gives the end-to-end encryption sections: to-device messages
// (and their acknowledgement by since), device list changes and key counts.
type Devices interface {
	DeviceSections(ctx context.Context, user id.UserID, device id.DeviceID, since, upto stream.Pos) (*DeviceSections, error)
}

// DeviceSections are /sync's end-to-end encryption sections.
type DeviceSections struct {
	ToDevice             []json.RawMessage
	Changed, Left        []id.UserID
	OneTimeKeysCount     map[string]int
	UnusedFallbackKeys   []string
	HasUnusedFallbackKey bool
}

// Counts gives rooms' unread notification counts for the user, as of
// stream position upto (impl/push).
type Counts interface {
	UnreadCounts(ctx context.Context, user id.UserID, rooms []id.RoomID, upto stream.Pos) (map[id.RoomID]RoomCounts, error)
}

// RoomCounts are a room's unread counts over the main timeline and every
// thread, and each thread's own.
type RoomCounts struct {
	Notifications, Highlights int
	Threads                   map[id.EventID]ThreadCounts
}

// ThreadCounts are a thread's unread counts.
type ThreadCounts struct {
	Notifications, Highlights int
}

// Deps are what /sync reads.
type Deps struct {
	Pool     *pgxpool.Pool
	Rooms    *rooms.Service
	Timeline *timeline.Reader
	Notifier *stream.Notifier
	Logger   *slog.Logger
	// Providers; nil ones contribute nothing.
	AccountData AccountData
	Ephemeral   Ephemeral
	Devices     Devices
	Counts      Counts
}

// Service answers /sync. It is safe for concurrent use.
type Service struct {
	d   Deps
	q   *db.Queries
	cfg Config
}

// New returns the sync service.
func New(deps Deps, cfg Config) *Service {
	return &Service{d: deps, q: db.New(), cfg: cfg}
}
