package clientapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/stream"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// BenchmarkReceiptPost is POST /receipt over HTTP: "forward" moves alice's
// receipt to a new message each time (a write, a stream position and a
// notification), "unchanged" repeats it (the read alone).
func BenchmarkReceiptPost(b *testing.B) {
	ctx := context.Background()
	s := servertest.New(b)
	alice := s.Register(b, "alice", "wonderland1")
	bob := s.Register(b, "bob", "builder12")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(b, err)
	room := created.RoomID
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(b, err)
	client := &http.Client{}
	b.Run("forward", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			sent, err := bob.SendText(ctx, room, "read me")
			require.NoError(b, err)
			b.StartTimer()
			benchRequest(b, client, http.MethodPost, s.URL+receiptPath(room, "m.read", sent.EventID), alice.AccessToken, "{}")
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		sent, err := bob.SendText(ctx, room, "read me once")
		require.NoError(b, err)
		url := s.URL + receiptPath(room, "m.read", sent.EventID)
		benchRequest(b, client, http.MethodPost, url, alice.AccessToken, "{}")
		b.ReportAllocs()
		for b.Loop() {
			benchRequest(b, client, http.MethodPost, url, alice.AccessToken, "{}")
		}
	})
}

// BenchmarkRoomEphemeral50 is the ephemeral section of a sync of a user in
// 50 rooms, each with a receipt from two members and typers in ten: whole
// (initial sync) and for a window in which five rooms changed.
func BenchmarkRoomEphemeral50(b *testing.B) {
	ctx := context.Background()
	s := servertest.New(b)
	alice := s.Register(b, "alice", "wonderland1")
	bob := s.Register(b, "bob", "builder12")
	rooms := make([]id.RoomID, 50)
	events := make([]id.EventID, 50)
	for i := range rooms {
		created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
		require.NoError(b, err)
		rooms[i] = created.RoomID
		_, err = bob.JoinRoomByID(ctx, rooms[i])
		require.NoError(b, err)
		sent, err := alice.SendText(ctx, rooms[i], "hello")
		require.NoError(b, err)
		events[i] = sent.EventID
		require.NoError(b, bob.SendReceipt(ctx, rooms[i], sent.EventID, "m.read", nil))
		require.NoError(b, alice.SendReceipt(ctx, rooms[i], sent.EventID, "m.read", nil))
		if i%5 == 0 {
			_, err = alice.UserTyping(ctx, rooms[i], true, time.Minute)
			require.NoError(b, err)
		}
	}
	svc := s.App.Ephemeral
	mid, err := s.App.Stream.Refresh(ctx)
	require.NoError(b, err)
	for i := range 5 {
		sent, err := alice.SendText(ctx, rooms[i*10], "more")
		require.NoError(b, err)
		require.NoError(b, alice.SendReceipt(ctx, rooms[i*10], sent.EventID, "m.read", nil))
	}
	upto, err := s.App.Stream.Refresh(ctx)
	require.NoError(b, err)
	for _, tc := range []struct {
		name  string
		since stream.Pos
		rooms int
	}{{"initial", 0, 50}, {"incremental", mid, 5}} {
		b.Run(tc.name, func(b *testing.B) {
			got, err := svc.RoomEphemeral(ctx, bob.UserID, rooms, tc.since, upto)
			require.NoError(b, err)
			require.Len(b, got, tc.rooms)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.RoomEphemeral(ctx, bob.UserID, rooms, tc.since, upto); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
