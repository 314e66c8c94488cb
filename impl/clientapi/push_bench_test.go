package clientapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// bigRoom registers members users (member0...) and joins them all to one
// public room that owner created, eight at a time.
func bigRoom(b *testing.B, s *servertest.Server, members int) (owner *mautrix.Client, room id.RoomID, all []*mautrix.Client) {
	ctx := context.Background()
	owner = s.Register(b, "owner", "password1")
	created, err := owner.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	if err != nil {
		b.Fatal(err)
	}
	all = make([]*mautrix.Client, members)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= members {
					return
				}
				cli := s.Register(b, fmt.Sprintf("member%d", i), "password1")
				if _, err := cli.JoinRoomByID(ctx, created.RoomID); err != nil {
					b.Error(err)
					return
				}
				all[i] = cli
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	return owner, created.RoomID, all
}

// BenchmarkSendLargeRoom is the latency of one message sent into a room of
// 1,000 local members: first with no pushers, then with an HTTP pusher for
// every member (a push gateway in the test answers at once). Push work
// happens after the send commits, so the second figure shows what delivery
// costs the write path on the same machine.
func BenchmarkSendLargeRoom(b *testing.B) {
	const members = 1000
	s := benchPushServer(b)
	owner, room, all := bigRoom(b, s, members)
	var notified atomic.Int64
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		notified.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"rejected":[]}`))
	}))
	b.Cleanup(gateway.Close)
	client := &http.Client{}
	txn := 0
	send := func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			txn++
			sendOnce(b, client, s, owner.AccessToken, room, fmt.Sprint(txn))
		}
	}
	b.Run(fmt.Sprintf("members=%d/pushers=0", members), send)
	// Servers without push answer pushers/set with M_UNRECOGNIZED; the
	// benchmark then measures the same room again.
	supported := true
	for _, cli := range all {
		r := s.Do(b, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/pushers/set", Token: cli.AccessToken,
			Body: map[string]any{
				"kind": "http", "app_id": "org.hearth.bench", "pushkey": "key-" + string(cli.UserID),
				"app_display_name": "bench", "device_display_name": "bench", "lang": "en",
				"data": map[string]any{"url": gateway.URL + "/_matrix/push/v1/notify"},
			}})
		if r.Status != http.StatusOK {
			supported = false
			break
		}
	}
	if !supported {
		b.Log("pushers/set is not supported: the second run has no pushers")
	} else {
		// One message first, timed apart: every member's first push counts
		// their unread events from scratch (up to the cap), which later
		// pushes only add to.
		start, before := time.Now(), notified.Load()
		sendOnce(b, client, s, owner.AccessToken, room, "warm-up")
		for notified.Load()-before < members {
			if time.Since(start) > 10*time.Minute {
				b.Fatalf("%d of %d notifications after 10 minutes", notified.Load()-before, members)
			}
			time.Sleep(10 * time.Millisecond)
		}
		b.Logf("first message: %d notifications delivered in %s", members, time.Since(start).Round(time.Millisecond))
	}
	b.Run(fmt.Sprintf("members=%d/pushers=%d", members, members), func(b *testing.B) {
		start := notified.Load()
		send(b)
		// Delivery runs behind the sends: what reached the gateway while
		// they ran.
		b.ReportMetric(float64(notified.Load()-start)/b.Elapsed().Seconds(), "pushes/s")
	})
}
