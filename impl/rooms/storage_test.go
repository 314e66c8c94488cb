package rooms_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/federation"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/telemetry"
	"github.com/hearth-hs/hearth/impl/testutil/pgtest"
)

func newService(t testing.TB) (*rooms.Service, *pgxpool.Pool) {
	pool := pgtest.New(t)
	key, err := federation.LoadOrCreateSigningKey(filepath.Join(t.TempDir(), "signing.key"))
	require.NoError(t, err)
	return rooms.New(rooms.Deps{Pool: pool, ServerName: "hearth.test", Key: key, Logger: telemetry.Discard()}, rooms.DefaultConfig()), pool
}

// fillRoom makes a public room with members joined, then sends messages.
func fillRoom(t testing.TB, svc *rooms.Service, members, messages int) id.RoomID {
	ctx := context.Background()
	owner := id.UserID("@owner:hearth.test")
	room, err := svc.Create(ctx, rooms.CreateParams{Creator: owner, Preset: rooms.PresetPublicChat})
	require.NoError(t, err)
	for i := range members - 1 {
		require.NoError(t, svc.Join(ctx, rooms.MembershipParams{Room: room, Sender: id.UserID(fmt.Sprintf("@m%d:hearth.test", i))}))
	}
	for i := range messages {
		_, err := svc.Send(ctx, rooms.SendParams{Room: room, Sender: owner, Type: "m.room.message",
			Content: []byte(fmt.Sprintf(`{"msgtype":"m.text","body":"message %d"}`, i))})
		require.NoError(t, err)
	}
	return room
}

type storage struct {
	events, snapshots, snapshotBytes, currentState int64
}

func measure(t testing.TB, pool *pgxpool.Pool) storage {
	var s storage
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM events),
		(SELECT count(*) FROM state_snapshots),
		(SELECT coalesce(sum(pg_column_size(s.*)), 0) FROM state_snapshots s),
		(SELECT count(*) FROM current_state)`).Scan(&s.events, &s.snapshots, &s.snapshotBytes, &s.currentState))
	return s
}

// TestStateStorageDoesNotGrowWithMessages: messages share their room's
// state, so state storage grows with state changes only.
func TestStateStorageDoesNotGrowWithMessages(t *testing.T) {
	t.Parallel()
	svc, pool := newService(t)
	room := fillRoom(t, svc, 20, 0)
	before := measure(t, pool)
	for i := range 300 {
		_, err := svc.Send(context.Background(), rooms.SendParams{Room: room, Sender: "@owner:hearth.test", Type: "m.room.message",
			Content: []byte(fmt.Sprintf(`{"msgtype":"m.text","body":"%d"}`, i))})
		require.NoError(t, err)
	}
	after := measure(t, pool)
	require.Equal(t, before.events+300, after.events)
	require.Equal(t, before.snapshots, after.snapshots, "messages add no state snapshot")
	require.Equal(t, before.snapshotBytes, after.snapshotBytes)
	// State events add one delta each, with a full snapshot every 32.
	require.Less(t, before.snapshots, int64(2*(20+8)), "one snapshot per state event at most")
}

// BenchmarkStateStorage reports state storage after 10,000 messages in a
// room with 100 members (run with -benchtime 1x).
func BenchmarkStateStorage(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		svc, pool := newService(b)
		b.StartTimer()
		fillRoom(b, svc, 100, 10000)
		b.StopTimer()
		s := measure(b, pool)
		b.ReportMetric(float64(s.events), "events")
		b.ReportMetric(float64(s.snapshots), "snapshot_rows")
		b.ReportMetric(float64(s.snapshotBytes), "snapshot_bytes")
		b.ReportMetric(float64(s.snapshotBytes)/float64(s.events), "snapshot_bytes/event")
		b.ReportMetric(float64(s.currentState), "current_state_rows")
		b.StartTimer()
	}
}
