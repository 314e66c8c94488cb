package stream

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hearth-hs/hearth/gen/db"
)

// Pos is a position in the stream. Zero is before everything.
type Pos int64

func (p Pos) String() string { return strconv.FormatInt(int64(p), 10) }

var queries = db.New()

// AdvanceTx takes the next position for a change made in the transaction
// of q; the transaction's later statements read it as
// currval('stream_positions'). It takes the barrier too, held until the
// transaction ends, so call it as late as the position allows, after any
// wait for other locks: a transaction waiting for a lock while holding the
// barrier delays every reader.
func AdvanceTx(ctx context.Context, q db.DBTX) error {
	if err := queries.StreamAdvance(ctx, q); err != nil {
		return fmt.Errorf("advance stream position: %w", err)
	}
	return nil
}
