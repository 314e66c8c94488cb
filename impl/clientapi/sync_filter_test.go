package clientapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// rawSync is a /sync over HTTP with query parameters, decoded loosely.
func rawSync(t *testing.T, s *servertest.Server, token, query string) map[string]any {
	t.Helper()
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Token: token, Path: "/_matrix/client/v3/sync?" + query})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	return r.Body
}

func roomSection(body map[string]any, section string, room id.RoomID) map[string]any {
	sec, _ := body["rooms"].(map[string]any)[section].(map[string]any)
	r, _ := sec[string(room)].(map[string]any)
	return r
}

func eventsOf(section map[string]any, key string) []map[string]any {
	list, _ := section[key].(map[string]any)["events"].([]any)
	out := make([]map[string]any, len(list))
	for i, e := range list {
		out[i] = e.(map[string]any)
	}
	return out
}

func TestSyncEventFieldsAndFormat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	require.NoError(t, err)
	_, err = alice.SendText(ctx, created.RoomID, "hi")
	require.NoError(t, err)

	f := url.QueryEscape(`{"event_fields":["type","content.body"]}`)
	body := rawSync(t, s, alice.AccessToken, "filter="+f)
	tl := eventsOf(roomSection(body, "join", created.RoomID), "timeline")
	last := tl[len(tl)-1]
	require.Equal(t, map[string]any{"type": "m.room.message", "content": map[string]any{"body": "hi"}}, last)

	f = url.QueryEscape(`{"event_format":"federation"}`)
	body = rawSync(t, s, alice.AccessToken, "filter="+f)
	tl = eventsOf(roomSection(body, "join", created.RoomID), "timeline")
	last = tl[len(tl)-1]
	require.Contains(t, last, "hashes", "federation format is the PDU")
	require.Contains(t, last, "signatures")
	require.Contains(t, last, "prev_events")
}

func TestSyncLazyLoadMembers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	room := created.RoomID
	var talker *mautrix.Client
	for i := range 5 {
		cli := s.Register(t, fmt.Sprintf("member%d", i), "password1")
		_, err := cli.JoinRoomByID(ctx, room)
		require.NoError(t, err)
		if i == 2 {
			talker = cli
		}
	}
	for range 4 {
		_, err := talker.SendText(ctx, room, "only me talks")
		require.NoError(t, err)
	}
	f := url.QueryEscape(`{"room":{"timeline":{"limit":3},"state":{"lazy_load_members":true}}}`)
	body := rawSync(t, s, alice.AccessToken, "filter="+f)
	var members []string
	for _, e := range eventsOf(roomSection(body, "join", room), "state") {
		if e["type"] == "m.room.member" {
			members = append(members, e["state_key"].(string))
		}
	}
	require.ElementsMatch(t, []string{string(talker.UserID), string(alice.UserID)}, members,
		"the senders of the timeline, and the user")

	body = rawSync(t, s, alice.AccessToken, "filter="+url.QueryEscape(`{"room":{"timeline":{"limit":3}}}`))
	n := 0
	for _, e := range eventsOf(roomSection(body, "join", room), "state") {
		if e["type"] == "m.room.member" {
			n++
		}
	}
	require.Equal(t, 6, n, "without lazy loading every member comes")
}

func TestSyncIncludeLeaveAndFullState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	room := created.RoomID
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)
	_, err = bob.LeaveRoom(ctx, room)
	require.NoError(t, err)

	require.Nil(t, roomSection(rawSync(t, s, bob.AccessToken, ""), "leave", room), "left rooms are left out of an initial sync")
	body := rawSync(t, s, bob.AccessToken, "filter="+url.QueryEscape(`{"room":{"include_leave":true}}`))
	require.NotNil(t, roomSection(body, "leave", room))

	r := s.Do(t, servertest.Request{Method: http.MethodPost, Token: bob.AccessToken, Path: roomPath(room, "/forget"), Body: map[string]any{}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	body = rawSync(t, s, bob.AccessToken, "filter="+url.QueryEscape(`{"room":{"include_leave":true}}`))
	require.Nil(t, roomSection(body, "leave", room), "forgotten rooms stop appearing")

	// full_state sends the whole state even in an incremental sync.
	since := rawSync(t, s, alice.AccessToken, "")["next_batch"].(string)
	body = rawSync(t, s, alice.AccessToken, "full_state=true&since="+since)
	require.NotNil(t, roomSection(body, "join", room))

	// use_state_after: the state at the end of the timeline, as state_after.
	body = rawSync(t, s, alice.AccessToken, "use_state_after=true")
	sec := roomSection(body, "join", room)
	require.Contains(t, sec, "state_after")
	require.NotContains(t, sec, "state")
}
