package timeline

import (
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/rooms"
)

// Reader reads room history for clients. It is safe for concurrent use.
type Reader struct {
	pool  *pgxpool.Pool
	q     *db.Queries
	rooms *rooms.Service
	log   *slog.Logger
	now   func() time.Time
}

// New returns a reader over the room engine's database.
func New(r *rooms.Service, log *slog.Logger, now func() time.Time) *Reader {
	if now == nil {
		now = time.Now
	}
	return &Reader{pool: r.Pool(), q: db.New(), rooms: r, log: log, now: now}
}
