package clientapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// sendOnce sends one message over HTTP and returns how long it took.
func sendOnce(b *testing.B, client *http.Client, s *servertest.Server, token string, room id.RoomID, txn string) time.Duration {
	start := time.Now()
	req, _ := http.NewRequest(http.MethodPut, s.URL+roomPath(room, "/send/m.room.message/"+txn),
		strings.NewReader(`{"msgtype":"m.text","body":"But soft, what light through yonder window breaks?"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("send: status %d", resp.StatusCode)
	}
	return time.Since(start)
}

// BenchmarkSendSequential sends messages one after another into one room,
// as the romeo-and-juliet benchmark does (3,287 messages): ns/op is the
// latency of one send.
func BenchmarkSendSequential(b *testing.B) {
	ctx := context.Background()
	s := servertest.New(b)
	romeo := s.Register(b, "romeo", "montague1")
	created, err := romeo.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		sendOnce(b, client, s, romeo.AccessToken, created.RoomID, fmt.Sprint(i))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkSendConcurrent runs 8 senders at once, into one room (which
// serialises on the room lock) and into 8 rooms, reporting throughput and
// latency percentiles.
func BenchmarkSendConcurrent(b *testing.B) {
	for _, rooms := range []int{1, 8} {
		b.Run(fmt.Sprintf("rooms=%d", rooms), func(b *testing.B) {
			ctx := context.Background()
			s := servertest.New(b)
			const senders = 8
			type sender struct {
				token string
				room  id.RoomID
			}
			var all []sender
			var roomIDs []id.RoomID
			for r := range rooms {
				owner := s.Register(b, fmt.Sprintf("owner%d", r), "password1")
				created, err := owner.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
				if err != nil {
					b.Fatal(err)
				}
				roomIDs = append(roomIDs, created.RoomID)
			}
			for i := range senders {
				cli := s.Register(b, fmt.Sprintf("sender%d", i), "password1")
				room := roomIDs[i%rooms]
				if _, err := cli.JoinRoomByID(ctx, room); err != nil {
					b.Fatal(err)
				}
				all = append(all, sender{cli.AccessToken, room})
			}
			var next atomic.Int64
			var mu sync.Mutex
			var lat []time.Duration
			b.ResetTimer()
			var wg sync.WaitGroup
			per := b.N/senders + 1
			start := time.Now()
			for _, snd := range all {
				wg.Go(func() {
					client := &http.Client{}
					local := make([]time.Duration, 0, per)
					for range per {
						local = append(local, sendOnce(b, client, s, snd.token, snd.room, fmt.Sprint(next.Add(1))))
					}
					mu.Lock()
					lat = append(lat, local...)
					mu.Unlock()
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "msgs/s")
			testutil.ReportLatencies(b, lat)
		})
	}
}
