package stream_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/stream"
	"github.com/hearth-hs/hearth/impl/telemetry"
	"github.com/hearth-hs/hearth/impl/testutil/pgtest"
)

// TestWaitAfterTheChange: a sync reads up to a position, computes, then
// waits; a change committed in between, delivered before the waiter
// registered (and while nobody waited), still wakes it at once.
func TestWaitAfterTheChange(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	writer := openPool(t, url)
	n := stream.NewNotifier(openPool(t, url), telemetry.Discard())
	run(t, n)
	upto, err := n.Refresh(context.Background())
	require.NoError(t, err)

	change(t, writer, "!mine:x")
	time.Sleep(300 * time.Millisecond) // delivered, to nobody

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	p, err := n.Wait(ctx, upto, func(c stream.Change) bool { return c.Room == "!mine:x" })
	require.NoError(t, err)
	require.Less(t, time.Since(start), 2*time.Second)
	require.Equal(t, upto+1, p)

	// Changes of other rooms, or before the position, do not count.
	short, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	_, err = n.Wait(short, upto, func(c stream.Change) bool { return c.Room == "!other:x" })
	require.ErrorIs(t, err, context.DeadlineExceeded)
	short3, cancel3 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel3()
	_, err = n.Wait(short3, p, func(c stream.Change) bool { return c.Room == "!mine:x" })
	require.ErrorIs(t, err, context.DeadlineExceeded)
}
