package stream_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/stream"
	"github.com/hearth-hs/hearth/impl/telemetry"
	"github.com/hearth-hs/hearth/impl/testutil/pgtest"
)

func openPool(t *testing.T, url string) *pgxpool.Pool {
	pool, err := pg.Open(context.Background(), pg.Config{URL: url, MaxConns: 4}, telemetry.Discard())
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

func run(t *testing.T, n *stream.Notifier) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = n.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-n.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("notifier never became ready")
	}
}

// change commits a change to room at a new position.
func change(t *testing.T, pool *pgxpool.Pool, room id.RoomID) {
	require.NoError(t, pg.InTx(context.Background(), pool, func(tx pgx.Tx) error {
		if err := stream.AdvanceTx(context.Background(), tx); err != nil {
			return err
		}
		return stream.NotifyCurrentTx(context.Background(), tx, room, nil)
	}))
}

// TestWakeAcrossProcesses commits a change through one pool (process) and
// wakes a waiter of a notifier on another.
func TestWakeAcrossProcesses(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	writer := openPool(t, url)
	n := stream.NewNotifier(openPool(t, url), telemetry.Discard())
	run(t, n)
	start, err := n.Refresh(context.Background())
	require.NoError(t, err)

	woke := make(chan stream.Pos, 1)
	go func() {
		p, _ := n.Wait(context.Background(), start, func(c stream.Change) bool { return c.Room == "!mine:x" })
		woke <- p
	}()
	change(t, writer, "!other:x")
	select {
	case <-woke:
		t.Fatal("woken by another room's change")
	case <-time.After(200 * time.Millisecond):
	}
	change(t, writer, "!mine:x")
	select {
	case p := <-woke:
		require.Equal(t, start+2, p)
	case <-time.After(10 * time.Second):
		t.Fatal("not woken")
	}
}

// TestRefreshWaitsForEarlierPositions takes a position, lets a later one
// commit first, and checks that the safe position does not pass the open
// transaction until it commits.
func TestRefreshWaitsForEarlierPositions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	pool := openPool(t, url)
	n := stream.NewNotifier(openPool(t, url), telemetry.Discard())

	slow, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer slow.Rollback(ctx)
	require.NoError(t, stream.AdvanceTx(ctx, slow)) // position 1, still open
	change(t, pool, "!r:x")                         // position 2, committed

	refreshed := make(chan stream.Pos, 1)
	go func() {
		p, err := n.Refresh(ctx)
		require.NoError(t, err)
		refreshed <- p
	}()
	select {
	case p := <-refreshed:
		t.Fatalf("refresh returned %d while position 1 was open", p)
	case <-time.After(300 * time.Millisecond):
	}
	require.NoError(t, slow.Commit(ctx))
	select {
	case p := <-refreshed:
		require.Equal(t, stream.Pos(2), p)
	case <-time.After(10 * time.Second):
		t.Fatal("refresh never returned")
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	p, err := stream.ParseToken(stream.Pos(42).Token())
	require.NoError(t, err)
	require.Equal(t, stream.Pos(42), p)
	for _, bad := range []string{"", "42", "s", "s-1", "sx", "t42"} {
		_, err := stream.ParseToken(bad)
		require.Error(t, err, bad)
	}
}

func TestInterestMatch(t *testing.T) {
	in := &stream.Interest{User: "@a:x", Rooms: map[id.RoomID]bool{"!r:x": true}}
	for _, tc := range []struct {
		name string
		c    stream.Change
		want bool
	}{
		{"its room", stream.Change{Room: "!r:x"}, true},
		{"among the rooms", stream.Change{Rooms: []id.RoomID{"!o:x", "!r:x"}}, true},
		{"names the user", stream.Change{Users: []id.UserID{"@b:x", "@a:x"}}, true},
		{"another room", stream.Change{Room: "!o:x", Users: []id.UserID{"@b:x"}}, false},
		{"nothing", stream.Change{}, false},
	} {
		require.Equal(t, tc.want, in.Match(tc.c), tc.name)
	}
}
