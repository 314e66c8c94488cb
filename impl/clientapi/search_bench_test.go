package clientapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// searchLines are the messages of the search benchmark's room, in turn.
var searchLines = []string{
	"But soft, what light through yonder window breaks?",
	"It is the east, and Juliet is the sun.",
	"Arise, fair sun, and kill the envious moon,",
	"Who is already sick and pale with grief,",
	"That thou her maid art far more fair than she.",
	"O Romeo, Romeo, wherefore art thou Romeo?",
	"Deny thy father and refuse thy name.",
	"What's in a name? That which we call a rose",
	"By any other word would smell as sweet.",
	"Good night, good night! Parting is such sweet sorrow.",
}

// BenchmarkSearch searches a room of 10,000 messages over HTTP, as one of
// its two members: a term found once (each message carries a serial
// word), a term in a tenth of the messages, and one in all of them, by
// rank and newest first; then with context around each result.
func BenchmarkSearch(b *testing.B) {
	const size = 10_000
	ctx := context.Background()
	s := servertest.New(b)
	romeo := s.Register(b, "romeo", "montague1")
	juliet := s.Register(b, "juliet", "capulet12")
	created, err := romeo.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(b, err)
	room := created.RoomID
	_, err = juliet.JoinRoomByID(ctx, room)
	require.NoError(b, err)
	start := time.Now()
	for i := range size {
		sender := []id.UserID{romeo.UserID, juliet.UserID}[i%2]
		body := fmt.Sprintf(`{"msgtype":"m.text","body":"line%d %s (Verona)"}`, i, searchLines[i%len(searchLines)])
		_, err := s.App.Rooms.Send(ctx, rooms.SendParams{Room: room, Sender: sender, Type: "m.room.message", Content: []byte(body)})
		require.NoError(b, err)
	}
	b.Logf("filled a room with %d messages through rooms.Service in %v", size, time.Since(start))
	_, err = s.App.Pool.Exec(ctx, "VACUUM ANALYZE")
	require.NoError(b, err)

	client := &http.Client{}
	url := s.URL + "/_matrix/client/v3/search"
	for _, tc := range []struct{ name, body string }{
		{"one match", `{"search_term":"line4711"}`},
		{"1000 matches rank", `{"search_term":"rose"}`},
		{"1000 matches recent", `{"search_term":"rose","order_by":"recent"}`},
		{"10000 matches rank", `{"search_term":"verona"}`},
		{"10000 matches recent", `{"search_term":"verona","order_by":"recent"}`},
		{"10000 matches recent next page", `{"search_term":"verona","order_by":"recent"}` + "next"},
		{"5000 matches rank, words or'ed", `{"search_term":"fair OR sun OR romeo OR name OR night"}`},
		{"1000 matches with context", `{"search_term":"rose","event_context":{"before_limit":5,"after_limit":5,"include_profile":true}}`},
		{"1000 matches grouped with state", `{"search_term":"rose","include_state":true,"groupings":{"group_by":[{"key":"room_id"},{"key":"sender"}]}}`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			body, u := tc.body, url
			if n := len(body); body[n-4:] == "next" {
				body = body[:n-4]
				var first struct {
					SearchCategories struct {
						RoomEvents struct {
							NextBatch string `json:"next_batch"`
						} `json:"room_events"`
					} `json:"search_categories"`
				}
				r := s.Do(b, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/search", Token: juliet.AccessToken, Body: `{"search_categories":{"room_events":` + body + `}}`})
				require.Equal(b, http.StatusOK, r.Status)
				require.NoError(b, json.Unmarshal(r.Raw, &first))
				u += "?next_batch=" + first.SearchCategories.RoomEvents.NextBatch
			}
			req := `{"search_categories":{"room_events":` + body + `}}`
			b.ReportAllocs()
			for b.Loop() {
				benchRequest(b, client, http.MethodPost, u, juliet.AccessToken, req)
			}
		})
	}
}

// BenchmarkUserDirectory searches among 10,000 local users over HTTP:
// with search_all_users (no membership rule), and with the spec's rule,
// where the users sit 100 to a room, one room in ten public, and the
// searcher shares one private room. Terms: one exact localpart, a display
// name word shared by 100 users, and a prefix every user matches.
func BenchmarkUserDirectory(b *testing.B) {
	const users = 10_000
	for _, all := range []bool{true, false} {
		b.Run(fmt.Sprintf("search_all_users=%v", all), func(b *testing.B) {
			ctx := context.Background()
			s := servertest.New(b, servertest.WithConfig(func(c *config.Config) { c.UserDirectory.SearchAllUsers = all }))
			searcher := s.Register(b, "searcher", "password1")
			start := time.Now()
			var ids []id.UserID
			for i := range users {
				u, err := s.App.Accounts.CreateUser(ctx, fmt.Sprintf("user%05d", i), "", false)
				require.NoError(b, err)
				ids = append(ids, u)
			}
			// Display names "Given%d Family%d": 100 given names, 100 family names.
			_, err := s.App.Pool.Exec(ctx, `UPDATE profiles SET displayname = 'Given' || (substr(user_id, 6, 5)::int % 100) || ' Family' || (substr(user_id, 6, 5)::int / 100)
				WHERE user_id LIKE '@user%'`)
			require.NoError(b, err)
			if !all {
				for r := 0; r < users/100; r++ {
					preset := "private_chat"
					if r%10 == 0 {
						preset = "public_chat"
					}
					room, err := s.App.Rooms.Create(ctx, rooms.CreateParams{Creator: ids[r*100], Preset: preset})
					require.NoError(b, err)
					if r == 1 {
						require.NoError(b, s.App.Rooms.Invite(ctx, rooms.MembershipParams{Room: room, Sender: ids[r*100], Target: searcher.UserID}))
						require.NoError(b, s.App.Rooms.Join(ctx, rooms.MembershipParams{Room: room, Sender: searcher.UserID}))
					}
					for _, u := range ids[r*100+1 : (r+1)*100] {
						if preset == "private_chat" {
							require.NoError(b, s.App.Rooms.Invite(ctx, rooms.MembershipParams{Room: room, Sender: ids[r*100], Target: u}))
						}
						require.NoError(b, s.App.Rooms.Join(ctx, rooms.MembershipParams{Room: room, Sender: u}))
					}
				}
			}
			b.Logf("made %d users in %v", users, time.Since(start))
			// The steady state autovacuum keeps: statistics, visibility map.
			_, err = s.App.Pool.Exec(ctx, "VACUUM ANALYZE")
			require.NoError(b, err)
			client := &http.Client{}
			url := s.URL + "/_matrix/client/v3/user_directory/search"
			for _, tc := range []struct{ name, body string }{
				{"exact localpart", `{"search_term":"user04711"}`},
				{"display name word", `{"search_term":"given42"}`},
				{"two words", `{"search_term":"given42 family3"}`},
				{"prefix of everyone", `{"search_term":"user"}`},
			} {
				b.Run(tc.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						benchRequest(b, client, http.MethodPost, url, searcher.AccessToken, tc.body)
					}
				})
			}
		})
	}
}
