package clientapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// BenchmarkCreateRoom creates private_chat rooms of the default version
// over HTTP, one after another: seven events each (create, join, power
// levels, join rules, history visibility, guest access, name), in one
// transaction.
func BenchmarkCreateRoom(b *testing.B) {
	s := servertest.New(b)
	alice := s.Register(b, "alice", "wonderland1")
	client := &http.Client{}
	url := s.URL + "/_matrix/client/v3/createRoom"
	b.ReportAllocs()
	for b.Loop() {
		benchRequest(b, client, http.MethodPost, url, alice.AccessToken, `{"preset":"private_chat","name":"bench"}`)
	}
}

// BenchmarkJoinPublicRoom joins a user to public rooms over HTTP, a new
// room each time (made beforehand, outside the timing).
func BenchmarkJoinPublicRoom(b *testing.B) {
	ctx := context.Background()
	s := servertest.New(b)
	alice := s.Register(b, "alice", "wonderland1")
	bob := s.Register(b, "bob", "builder12")
	client := &http.Client{}
	roomIDs := make([]id.RoomID, b.N)
	for i := range roomIDs {
		room, err := s.App.Rooms.Create(ctx, rooms.CreateParams{Creator: alice.UserID, Preset: rooms.PresetPublicChat})
		if err != nil {
			b.Fatal(err)
		}
		roomIDs[i] = room
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		benchRequest(b, client, http.MethodPost, s.URL+roomPath(roomIDs[i], "/join"), bob.AccessToken, `{}`)
	}
}

// BenchmarkPublicRooms reads the first page (20 rooms) of a public room
// list of 200 rooms, without a token: the summaries are up to date, as
// they are between state changes.
func BenchmarkPublicRooms(b *testing.B) {
	ctx := context.Background()
	s := servertest.New(b)
	alice := s.Register(b, "alice", "wonderland1")
	for i := range 200 {
		name := fmt.Sprint("room ", i)
		if _, err := s.App.Rooms.Create(ctx, rooms.CreateParams{Creator: alice.UserID, Preset: rooms.PresetPublicChat, Public: true, Name: &name}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := alice.PublicRooms(ctx, &mautrix.ReqPublicRooms{Limit: 1}); err != nil { // fills the summaries
		b.Fatal(err)
	}
	client := &http.Client{}
	url := s.URL + "/_matrix/client/v3/publicRooms?limit=20"
	b.ReportAllocs()
	for b.Loop() {
		benchRequest(b, client, http.MethodGet, url, "", "")
	}
}
