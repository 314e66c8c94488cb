package directory

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/rooms"
)

// Remote is what the directory asks other servers over federation: where
// their aliases point, their public room lists and summaries of their
// rooms. hearth has no federation client yet: with no Remote,
// remote aliases and rooms are not found and remote lists are refused.
type Remote interface {
	ResolveAlias(ctx context.Context, alias id.RoomAlias) (id.RoomID, []string, error)
	PublicRooms(ctx context.Context, server string, q Query) (*Page, error)
	Summary(ctx context.Context, room id.RoomID, via []string) (*Summary, error)
}

// Deps are what the directory needs.
type Deps struct {
	Pool       *pgxpool.Pool
	ServerName string
	Rooms      *rooms.Service
	Logger     *slog.Logger
	// Remote may be nil (see Remote).
	Remote Remote
}

// Service is the room directory. It is safe for concurrent use.
type Service struct {
	pool       *pgxpool.Pool
	q          *db.Queries
	serverName string
	rooms      *rooms.Service
	log        *slog.Logger
	remote     Remote
}

// New returns the room directory.
func New(deps Deps) *Service {
	return &Service{pool: deps.Pool, q: db.New(), serverName: deps.ServerName, rooms: deps.Rooms, log: deps.Logger, remote: deps.Remote}
}

// Caller is who asks: User is empty for unauthenticated requests; server
// admins pass every permission check of the directory.
type Caller struct {
	User    id.UserID
	IsAdmin bool
}

// isLocal tells whether an alias belongs to this server.
func (s *Service) isLocal(alias id.RoomAlias) bool {
	_, server, _ := cutServer(string(alias))
	return server == s.serverName
}

// cutServer splits a sigilled identifier at its first colon.
func cutServer(s string) (local, server string, ok bool) {
	if len(s) < 2 {
		return "", "", false
	}
	for i := 1; i < len(s); i++ {
		if s[i] == ':' {
			return s[1:i], s[i+1:], true
		}
	}
	return s[1:], "", false
}
