package clientapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/testutil"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// BenchmarkInitialSync is the initial /sync of a user in 50 rooms of 100
// events each, over HTTP.
func BenchmarkInitialSync(b *testing.B) {
	ctx := context.Background()
	s := servertest.New(b)
	alice := s.Register(b, "alice", "wonderland1")
	for r := range 50 {
		room, err := s.App.Rooms.Create(ctx, rooms.CreateParams{Creator: alice.UserID, Name: ptr(fmt.Sprintf("room %d", r))})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 100 - 7 { // createRoom made 7 events
			if _, err := s.App.Rooms.Send(ctx, rooms.SendParams{Room: room, Sender: alice.UserID, Type: "m.room.message",
				Content: fmt.Appendf(nil, `{"msgtype":"m.text","body":"message %d"}`, i)}); err != nil {
				b.Fatal(err)
			}
		}
	}
	client := &http.Client{}
	b.ReportAllocs()
	var size int
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/_matrix/client/v3/sync", nil)
		req.Header.Set("Authorization", "Bearer "+alice.AccessToken)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		size = len(body)
	}
	b.ReportMetric(float64(size), "response_bytes")
}

func ptr[T any](v T) *T { return &v }

// BenchmarkSyncWakeUp measures, with 200 idle clients long-polling, the
// time from a message's send returning to a waiting client's sync
// answering with it; and the memory each idle long-poll holds (client and
// server side together: both run in this process).
func BenchmarkSyncWakeUp(b *testing.B) {
	ctx := context.Background()
	s := servertest.New(b)
	sender := s.Register(b, "sender", "password1")
	const idle = 200
	type waiter struct {
		cli  *mautrix.Client
		room id.RoomID
		next string
	}
	waiters := make([]*waiter, idle)
	for i := range waiters {
		cli := s.Register(b, fmt.Sprintf("idle%d", i), "password1")
		created, err := sender.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cli.JoinRoomByID(ctx, created.RoomID); err != nil {
			b.Fatal(err)
		}
		resp, err := cli.FullSyncRequest(ctx, mautrix.ReqSync{})
		if err != nil {
			b.Fatal(err)
		}
		waiters[i] = &waiter{cli: cli, room: created.RoomID, next: resp.NextBatch}
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
		resp, err := w.cli.FullSyncRequest(ctx, mautrix.ReqSync{Since: w.next, Timeout: 60000})
		if err == nil {
			w.next = resp.NextBatch
		}
		wakes <- woke{w, time.Now()}
	}
	for _, w := range waiters {
		go poll(w)
	}
	time.Sleep(time.Second) // every poll is waiting now
	runtime.GC()
	var during runtime.MemStats
	runtime.ReadMemStats(&during)
	perClient := float64(int64(during.HeapInuse)-int64(before.HeapInuse)) / idle

	var lat []time.Duration
	var mu sync.Mutex
	i := 0
	for b.Loop() {
		w := waiters[i%idle]
		i++
		if _, err := sender.SendText(ctx, w.room, "ping"); err != nil {
			b.Fatal(err)
		}
		sent := time.Now()
		got := <-wakes
		mu.Lock()
		lat = append(lat, got.at.Sub(sent))
		mu.Unlock()
		go poll(got.w)
	}
	b.ReportMetric(perClient, "heap_bytes/idle_client")
	testutil.ReportLatencies(b, lat)
}
