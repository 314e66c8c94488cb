package ephemeral

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/accountdata"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

// Rooms is what ephemeral data asks of the room engine (impl/rooms).
type Rooms interface {
	Membership(ctx context.Context, room id.RoomID, user id.UserID) (event.Membership, error)
}

// Users tells whether a local account exists (impl/accounts).
type Users interface {
	Exists(ctx context.Context, user id.UserID) (bool, error)
}

// Deps are what ephemeral data needs.
type Deps struct {
	Pool        *pgxpool.Pool
	ServerName  string
	Rooms       Rooms
	AccountData *accountdata.Service
	Users       Users
	Logger      *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service holds typing notices, receipts, read markers and presence. It is
// safe for concurrent use, by several hearth processes sharing a database
// too.
type Service struct {
	pool        *pgxpool.Pool
	q           *db.Queries
	serverName  string
	rooms       Rooms
	accountData *accountdata.Service
	users       Users
	log         *slog.Logger
	now         func() time.Time
	typing      TypingConfig
	presence    PresenceConfig

	// touched remembers, per user, the presence writes this process made
	// lately, so that the /sync and activity of a busy user write presence
	// once in a while rather than at every request.
	touchMu sync.Mutex
	touched map[touchKey]time.Time
}

// New returns the service; start its sweepers with Run.
func New(deps Deps, typing TypingConfig, presence PresenceConfig) *Service {
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	return &Service{
		pool: deps.Pool, q: db.New(), serverName: deps.ServerName, rooms: deps.Rooms, accountData: deps.AccountData,
		users: deps.Users, log: deps.Logger, now: now, typing: typing, presence: presence,
		touched: map[touchKey]time.Time{},
	}
}

// Run sweeps typing notices that ran out and users gone idle or offline
// until ctx ends; every hearth process runs it. Errors are logged and the
// sweep tried again at the next tick.
func (s *Service) Run(ctx context.Context) {
	typing := time.NewTicker(s.typing.SweepInterval)
	defer typing.Stop()
	presence := time.NewTicker(s.presence.SweepInterval)
	defer presence.Stop()
	if !s.presence.Enabled {
		presence.Stop()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-typing.C:
			if err := s.sweepTyping(ctx); err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "typing sweep failed", "err", err)
			}
		case <-presence.C:
			if err := s.sweepPresence(ctx); err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "presence sweep failed", "err", err)
			}
		}
	}
}

// errNotJoined answers writes into rooms the user is not joined to; like
// the room engine's, it does not tell whether the room exists.
var errNotJoined = mxerr.New(mxerr.Forbidden, "you are not in this room")

// joined checks that user is joined to room.
func (s *Service) joined(ctx context.Context, room id.RoomID, user id.UserID) error {
	m, err := s.rooms.Membership(ctx, room, user)
	if err != nil {
		return err
	}
	if m != event.MembershipJoin {
		return errNotJoined
	}
	return nil
}

func roomStrings(rooms []id.RoomID) []string {
	out := make([]string, len(rooms))
	for i, r := range rooms {
		out[i] = string(r)
	}
	return out
}
