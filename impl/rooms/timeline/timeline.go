package timeline

import (
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/rooms/events"
)

// Reader reads room history for clients. It is safe for concurrent use.
type Reader struct {
	pool  *pgxpool.Pool
	q     *db.Queries
	rooms *rooms.Service
	log   *slog.Logger
	now   func() time.Time
	// values remembers what the member and history visibility events that
	// decide visibility say; see valueCache.
	values valueCache
}

// New returns a reader over the room engine's database.
func New(r *rooms.Service, log *slog.Logger, now func() time.Time) *Reader {
	if now == nil {
		now = time.Now
	}
	return &Reader{pool: r.Pool(), q: db.New(), rooms: r, log: log, now: now, values: valueCache{m: map[events.NID]string{}}}
}

// maxValues bounds valueCache; past it the cache starts over.
const maxValues = 1 << 16

// valueCache maps the NIDs of member events to their membership and of
// history visibility events to their visibility. Both fields survive
// redaction in every room version, so an event's value never changes and
// the cache needs no invalidation.
type valueCache struct {
	mu sync.RWMutex
	m  map[events.NID]string
}

func (c *valueCache) get(n events.NID) (string, bool) {
	c.mu.RLock()
	v, ok := c.m[n]
	c.mu.RUnlock()
	return v, ok
}

func (c *valueCache) put(n events.NID, v string) {
	c.mu.Lock()
	if len(c.m) >= maxValues {
		c.m = map[events.NID]string{}
	}
	c.m[n] = v
	c.mu.Unlock()
}
