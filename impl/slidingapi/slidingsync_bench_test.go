package slidingapi_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/testutil"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// benchRooms makes n rooms of alice's, each with a few messages.
func benchRooms(b *testing.B, s *servertest.Server, alice *mautrix.Client, n int) []id.RoomID {
	ctx := context.Background()
	out := make([]id.RoomID, n)
	for r := range n {
		name := fmt.Sprintf("room %d", r)
		room, err := s.App.Rooms.Create(ctx, rooms.CreateParams{Creator: alice.UserID, Name: &name})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 3 {
			if _, err := s.App.Rooms.Send(ctx, rooms.SendParams{Room: room, Sender: alice.UserID, Type: "m.room.message",
				Content: fmt.Appendf(nil, `{"msgtype":"m.text","body":"message %d"}`, i)}); err != nil {
				b.Fatal(err)
			}
		}
		out[r] = room
	}
	return out
}

// BenchmarkSlidingSyncFirstResponse is Element X's first room list request
// (a new connection) for a user in 500 rooms: the window [0,19] with one
// event each, and the whole list.
func BenchmarkSlidingSyncFirstResponse(b *testing.B) {
	s := servertest.New(b)
	alice := s.Register(b, "alice", "wonderland1")
	benchRooms(b, s, alice, 500)
	for _, tc := range []struct {
		name  string
		upto  int
		rooms int
	}{{"window20", 19, 20}, {"all500", 499, 500}} {
		b.Run(tc.name, func(b *testing.B) {
			c := newConn(b, s, alice, unstablePath)
			req := listRequest([][2]int{{0, tc.upto}})
			b.ReportAllocs()
			var size int
			for b.Loop() {
				c.pos = ""
				resp := c.do(req, 0)
				if resp.Status != 200 || len(resp.Body["rooms"].(map[string]any)) != tc.rooms {
					b.Fatalf("status %d: %.200s", resp.Status, resp.Raw)
				}
				size = len(resp.Raw)
			}
			b.ReportMetric(float64(size), "response_bytes")
		})
	}
}

// BenchmarkSlidingSyncIncremental measures, for a user in 500 rooms with
// the whole list open and a request waiting, the time from a message's
// send starting to the waiting request answering with it (p50, p99): the
// commit is in between, and the send's own answer may come after.
func BenchmarkSlidingSyncIncremental(b *testing.B) {
	ctx := context.Background()
	s := servertest.New(b)
	alice := s.Register(b, "alice", "wonderland1")
	made := benchRooms(b, s, alice, 500)
	c := newConn(b, s, alice, unstablePath)
	req := listRequest([][2]int{{0, 499}})
	c.sync(req, 0)
	var lat []time.Duration
	i := 0
	for b.Loop() {
		room := made[i%len(made)]
		i++
		done := make(chan time.Time, 1)
		go func() {
			g := c.sync(req, time.Minute)
			if len(roomsOf(g)) != 1 {
				b.Errorf("want the one room with news, got %.300s", g.Raw)
			}
			done <- time.Now()
		}()
		time.Sleep(20 * time.Millisecond) // the request is waiting
		sending := time.Now()
		if _, err := alice.SendText(ctx, room, "ping"); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, (<-done).Sub(sending))
	}
	testutil.ReportLatencies(b, lat)
}

// BenchmarkSlidingSyncWakeUp measures, with 100 connections long-polling
// (each user in a room of their own), the time from a message's send
// returning to its connection answering; and the heap each waiting
// connection holds (client and server side together: both run here).
func BenchmarkSlidingSyncWakeUp(b *testing.B) {
	ctx := context.Background()
	s := servertest.New(b)
	sender := s.Register(b, "sender", "password1")
	const idle = 100
	type waiter struct {
		c    *conn
		room id.RoomID
	}
	waiters := make([]*waiter, idle)
	req := listRequest([][2]int{{0, 19}})
	for i := range waiters {
		cli := s.Register(b, fmt.Sprintf("idle%d", i), "password1")
		created, err := sender.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cli.JoinRoomByID(ctx, created.RoomID); err != nil {
			b.Fatal(err)
		}
		c := newConn(b, s, cli, unstablePath)
		c.sync(req, 0)
		waiters[i] = &waiter{c: c, room: created.RoomID}
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	type woke struct {
		w  *waiter
		at time.Time
	}
	wakes := make(chan woke, idle)
	poll := func(w *waiter) {
		w.c.sync(req, time.Minute)
		wakes <- woke{w, time.Now()}
	}
	for _, w := range waiters {
		go poll(w)
	}
	time.Sleep(time.Second) // every poll is waiting now
	runtime.GC()
	var during runtime.MemStats
	runtime.ReadMemStats(&during)
	perConn := float64(int64(during.HeapInuse)-int64(before.HeapInuse)) / idle

	var lat []time.Duration
	i := 0
	for b.Loop() {
		w := waiters[i%idle]
		i++
		if _, err := sender.SendText(ctx, w.room, "ping"); err != nil {
			b.Fatal(err)
		}
		sent := time.Now()
		got := <-wakes
		lat = append(lat, got.at.Sub(sent))
		go poll(got.w)
	}
	b.StopTimer()
	// Every connection is waiting again: wake them all to finish.
	for _, w := range waiters {
		if _, err := sender.SendText(ctx, w.room, "bye"); err != nil {
			b.Fatal(err)
		}
	}
	for range waiters {
		<-wakes
	}
	b.ReportMetric(perConn, "heap_bytes/waiting_conn")
	testutil.ReportLatencies(b, lat)
}
