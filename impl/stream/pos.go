package stream

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-hs/hearth/gen/db"
)

// Pos is a position in the stream. Zero is before everything.
type Pos int64

func (p Pos) String() string { return strconv.FormatInt(int64(p), 10) }

var queries = db.New()

// NextTx takes the next position for a change made in tx. It takes the
// barrier too, held until tx ends, so call it as late in the transaction as
// the position allows, after any wait for other locks: a transaction
// waiting for a lock while holding the barrier delays every reader.
func NextTx(ctx context.Context, tx pgx.Tx) (Pos, error) {
	p, err := queries.StreamNext(ctx, tx)
	if err != nil {
		return 0, fmt.Errorf("next stream position: %w", err)
	}
	return Pos(p), nil
}
