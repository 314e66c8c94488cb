package ephemeral

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
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

func newTestService(pool *pgxpool.Pool, now func() time.Time) *Service {
	return New(Deps{Pool: pool, ServerName: "hearth.test", Logger: telemetry.Discard(), Now: now},
		DefaultTypingConfig(), PresenceConfig{Enabled: true, IdleAfter: time.Minute, OfflineAfter: 10 * time.Minute, SweepInterval: time.Second})
}

func lastPos(t *testing.T, pool *pgxpool.Pool) int64 {
	t.Helper()
	var p int64
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT coalesce(last_value, 0) FROM pg_sequences WHERE sequencename = 'stream_positions'`).Scan(&p))
	return p
}

// TestSweepTypingOnceAcrossProcesses: sweepers of several processes racing
// over the same expired notices delete and announce them once.
func TestSweepTypingOnceAcrossProcesses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	now := time.Now()
	for i := range 3 {
		_, err := pool.Exec(ctx, `INSERT INTO typing (room_id, user_id, expires_at) VALUES ($1, '@u:hearth.test', $2)`,
			fmt.Sprintf("!r%d:hearth.test", i), now.Add(-time.Second))
		require.NoError(t, err)
	}
	_, err := pool.Exec(ctx, `INSERT INTO typing (room_id, user_id, expires_at) VALUES ('!live:hearth.test', '@u:hearth.test', $1)`, now.Add(time.Minute))
	require.NoError(t, err)
	before := lastPos(t, pool)

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		svc := newTestService(pool, func() time.Time { return now })
		wg.Go(func() { errs <- svc.sweepTyping(ctx) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, before+1, lastPos(t, pool), "one position for the whole expiry")
	var left, touched int
	require.NoError(t, pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM typing), (SELECT count(*) FROM typing_rooms WHERE stream_pos = $1)`, before+1).Scan(&left, &touched))
	require.Equal(t, 1, left, "the live notice stays")
	require.Equal(t, 3, touched)
}

// TestNotifyRoomsChunks: a change concerning many rooms is announced in
// several notifications, each under PostgreSQL's 8000-byte limit, that
// together name every room and user.
func TestNotifyRoomsChunks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	conn, err := pool.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	_, err = conn.Exec(ctx, "LISTEN hearth_stream")
	require.NoError(t, err)

	var rooms []id.RoomID
	for i := range 300 {
		rooms = append(rooms, id.RoomID(fmt.Sprintf("!%s%d:hearth.test", strings.Repeat("r", 100), i)))
	}
	users := []id.UserID{"@a:hearth.test", "@b:hearth.test"}
	require.NoError(t, pg.InTx(ctx, pool, func(tx pgx.Tx) error {
		if err := stream.AdvanceTx(ctx, tx); err != nil {
			return err
		}
		return notifyRoomsTx(ctx, tx, rooms, users)
	}))

	seenRooms, seenUsers := map[id.RoomID]bool{}, map[id.UserID]bool{}
	notes := 0
	for len(seenRooms) < len(rooms) || len(seenUsers) < len(users) {
		wait, cancel := context.WithTimeout(ctx, 5*time.Second)
		n, err := conn.Conn().WaitForNotification(wait)
		cancel()
		require.NoError(t, err)
		require.Less(t, len(n.Payload), 8000)
		var c stream.Change
		require.NoError(t, json.Unmarshal([]byte(n.Payload), &c))
		for _, r := range c.Rooms {
			seenRooms[r] = true
		}
		for _, u := range c.Users {
			seenUsers[u] = true
		}
		notes++
	}
	require.Greater(t, notes, 1)
}

// TestPresenceDecay: when users go idle and offline, and when the sweeper
// looks again.
func TestPresenceDecay(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	s := newTestService(nil, nil)
	for _, tc := range []struct {
		name     string
		row      presenceRow
		at       time.Duration
		want     string
		wantDue  time.Duration // from t0; 0: never
		neverDue bool
	}{
		{"online, active", presenceRow{state: Online, lastActive: t0, lastSync: t0}, 30 * time.Second, Online, time.Minute, false},
		{"online, idle", presenceRow{state: Online, lastActive: t0, lastSync: t0}, time.Minute, Unavailable, time.Minute, false},
		{"idle but syncing", presenceRow{state: Unavailable, lastActive: t0, lastSync: t0.Add(9 * time.Minute)}, 10 * time.Minute, Unavailable, 19 * time.Minute, false},
		{"gone", presenceRow{state: Unavailable, lastActive: t0, lastSync: t0}, 10 * time.Minute, Offline, 10 * time.Minute, false},
		{"online and gone", presenceRow{state: Online, lastActive: t0, lastSync: t0}, 11 * time.Minute, Offline, time.Minute, false},
		{"offline", presenceRow{state: Offline, lastActive: t0, lastSync: t0}, time.Hour, Offline, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, s.decay(tc.row, t0.Add(tc.at)))
			due := s.dueAt(tc.row)
			if tc.neverDue {
				require.Nil(t, due)
				return
			}
			require.NotNil(t, due)
			require.Equal(t, t0.Add(tc.wantDue), *due)
		})
	}
}

// TestSweepPresenceSharesWork: sweepers racing over due users change each
// one once.
func TestSweepPresenceSharesWork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	t0 := time.Now().Truncate(time.Millisecond)
	clock := t0
	now := func() time.Time { return clock }
	svc := newTestService(pool, now)
	for i := range 50 {
		user := id.UserID(fmt.Sprintf("@u%d:hearth.test", i))
		require.NoError(t, svc.PutPresence(ctx, user, Online, nil))
	}
	clock = t0.Add(2 * time.Minute)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		other := newTestService(pool, now)
		wg.Go(func() { errs <- other.sweepPresence(ctx) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	var unavailable int
	var due time.Time
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'unavailable'), max(due_at) FROM presence`).Scan(&unavailable, &due))
	require.Equal(t, 50, unavailable)
	require.True(t, due.Equal(t0.Add(10*time.Minute)), "next: offline once gone for ten minutes (%s)", due)
	// Nothing is due any more.
	any, err := svc.q.PresenceDueAny(ctx, pool, clock)
	require.NoError(t, err)
	require.False(t, any)
}
