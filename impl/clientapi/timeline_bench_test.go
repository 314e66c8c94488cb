package clientapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/rooms/timeline"
	"github.com/hearth-hs/hearth/impl/testutil"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// queryCounter counts the statements a pool sends.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// fillRoom sends n events into a room through the room engine's write
// path (not HTTP, to fill it faster): messages from two users, every 25th
// message edited, every 100th given a thread reply and a reaction. It
// returns every 1000th message, oldest first.
func fillRoom(b *testing.B, svc *rooms.Service, room id.RoomID, users [2]id.UserID, n int) []id.EventID {
	ctx := context.Background()
	var marks []id.EventID
	send := func(sender id.UserID, evType, content string) id.EventID {
		evID, err := svc.Send(ctx, rooms.SendParams{Room: room, Sender: sender, Type: evType, Content: []byte(content)})
		if err != nil {
			b.Fatal(err)
		}
		return evID
	}
	for i := 0; i < n; {
		sender := users[i%2]
		msg := send(sender, "m.room.message", fmt.Sprintf(`{"msgtype":"m.text","body":"message %d: But soft, what light through yonder window breaks?"}`, i))
		i++
		if i%1000 == 0 {
			marks = append(marks, msg)
		}
		if i%25 == 0 && i < n {
			send(sender, "m.room.message", fmt.Sprintf(`{"msgtype":"m.text","body":"* edit","m.new_content":{"msgtype":"m.text","body":"edited %d"},"m.relates_to":{"rel_type":"m.replace","event_id":%q}}`, i, msg))
			i++
		}
		if i%100 == 0 && i+1 < n {
			send(users[(i+1)%2], "m.room.message", fmt.Sprintf(`{"msgtype":"m.text","body":"reply","m.relates_to":{"rel_type":"m.thread","event_id":%q}}`, msg))
			send(users[(i+1)%2], "m.reaction", fmt.Sprintf(`{"m.relates_to":{"rel_type":"m.annotation","event_id":%q,"key":"👍"}}`, msg))
			i += 2
		}
	}
	return marks
}

// BenchmarkMessagesDeep reads 50 events of /messages from deep in a room
// of 10,000 events (9,000 events back from its end), over HTTP; the
// "queries" cases make the same reads through a timeline reader on a pool
// that counts statements, for the queries one request costs besides the
// access token's lookup.
func BenchmarkMessagesDeep(b *testing.B) {
	const size = 10_000
	ctx := context.Background()
	s := servertest.New(b)
	alice := s.Register(b, "alice", "wonderland1")
	bob := s.Register(b, "bob", "builder12")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(b, err)
	room := created.RoomID
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(b, err)
	start := time.Now()
	marks := fillRoom(b, s.App.Rooms, room, [2]id.UserID{alice.UserID, bob.UserID}, size)
	fill := time.Since(start)
	b.Logf("filled a room with %d events through rooms.Service in %v (%.0f events/s)", size, fill, size/fill.Seconds())

	// A token just after the 1,000th message.
	c, err := alice.Context(ctx, room, marks[0], nil, 0)
	require.NoError(b, err)
	deep := c.End
	lazy := `{"types":["m.room.message"],"lazy_load_members":true}`

	client := &http.Client{}
	for _, tc := range []struct {
		name, query string
	}{
		{"backward", "dir=b&limit=50&from=" + deep},
		{"forward", "dir=f&limit=50&from=" + deep},
		{"backward lazy-load filter", "dir=b&limit=50&from=" + deep + "&filter=" + url.QueryEscape(lazy)},
		{"latest", "dir=b&limit=50"},
	} {
		u := s.URL + roomPath(room, "/messages?"+tc.query)
		b.Run("http "+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchRequest(b, client, http.MethodGet, u, bob.AccessToken, "")
			}
		})
	}

	// The same reads, counted.
	counter := &queryCounter{}
	cfg, err := pgxpool.ParseConfig(s.App.Config.Database.URL)
	require.NoError(b, err)
	cfg.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(b, err)
	b.Cleanup(pool.Close)
	svc := rooms.New(rooms.Deps{Pool: pool, ServerName: s.ServerName, Key: s.App.Key, Logger: testutil.Logger(b)}, rooms.DefaultConfig())
	reader := timeline.New(svc, testutil.Logger(b), nil)
	lazyFilter, err := filter.ParseRoomEventFilter([]byte(lazy))
	require.NoError(b, err)
	v := timeline.Viewer{User: bob.UserID, Device: bob.DeviceID}
	limit := 50
	for _, tc := range []struct {
		name string
		q    timeline.MessagesQuery
	}{
		{"backward", timeline.MessagesQuery{From: deep, Limit: &limit}},
		{"backward lazy-load filter", timeline.MessagesQuery{From: deep, Limit: &limit, Filter: lazyFilter}},
	} {
		b.Run("queries "+tc.name, func(b *testing.B) {
			// Once to warm the caches (state snapshots, state keys), as
			// a running server's are.
			_, err := reader.Messages(ctx, room, v, tc.q)
			require.NoError(b, err)
			counter.n.Store(0)
			b.ReportAllocs()
			for b.Loop() {
				page, err := reader.Messages(ctx, room, v, tc.q)
				if err != nil || len(page.Chunk) != limit {
					b.Fatalf("messages: %v (%d events)", err, len(page.Chunk))
				}
			}
			b.ReportMetric(float64(counter.n.Load())/float64(b.N), "queries/op")
		})
	}
}
