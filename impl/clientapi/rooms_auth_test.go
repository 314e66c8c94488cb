package clientapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func roomPath(room id.RoomID, rest string) string {
	return "/_matrix/client/v3/rooms/" + url.PathEscape(string(room)) + rest
}

// eventCount is how many events the room's history holds, read through
// the database: denials must store nothing.
func eventCount(t *testing.T, s *servertest.Server, room id.RoomID) int {
	var n int
	require.NoError(t, s.App.Pool.QueryRow(context.Background(),
		"SELECT count(*) FROM events e JOIN rooms r USING (room_nid) WHERE r.room_id = $1", string(room)).Scan(&n))
	return n
}

func TestAuthRuleDenials(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")

	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{bob.UserID}})
	require.NoError(t, err)
	room := created.RoomID
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)
	// Only moderators may change the topic here.
	_, err = alice.SendStateEvent(ctx, room, event.StatePowerLevels, "", map[string]any{
		"users": map[string]int{string(alice.UserID): 100}, "state_default": 50, "events": map[string]int{"m.room.topic": 50},
	})
	require.NoError(t, err)

	mine, err := alice.SendText(ctx, room, "mine")
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{"send state without power", func() error {
			_, err := bob.SendStateEvent(ctx, room, event.StateTopic, "", map[string]string{"topic": "mine now"})
			return err
		}},
		{"join an invite-only room uninvited", func() error { _, err := carol.JoinRoomByID(ctx, room); return err }},
		{"send to a room one is not in", func() error { _, err := carol.SendText(ctx, room, "hi"); return err }},
		{"kick with lower power", func() error {
			_, err := bob.KickUser(ctx, room, &mautrix.ReqKickUser{UserID: alice.UserID})
			return err
		}},
		{"ban with lower power", func() error {
			_, err := bob.BanUser(ctx, room, &mautrix.ReqBanUser{UserID: alice.UserID})
			return err
		}},
		{"redact someone else's event without power", func() error {
			_, err := bob.RedactEvent(ctx, room, mine.EventID)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := eventCount(t, s, room)
			err := tc.do()
			require.ErrorIs(t, err, mautrix.MForbidden)
			require.Equal(t, before, eventCount(t, s, room), "a denial stores nothing")
		})
	}

	// A banned user cannot come back.
	_, err = alice.BanUser(ctx, room, &mautrix.ReqBanUser{UserID: bob.UserID, Reason: "rude"})
	require.NoError(t, err)
	_, err = alice.InviteUser(ctx, room, &mautrix.ReqInviteUser{UserID: bob.UserID})
	require.ErrorIs(t, err, mautrix.MForbidden, "a banned user cannot be invited")
	_, err = bob.JoinRoomByID(ctx, room)
	require.ErrorIs(t, err, mautrix.MForbidden)
	_, err = alice.UnbanUser(ctx, room, &mautrix.ReqUnbanUser{UserID: bob.UserID})
	require.NoError(t, err)
	_, err = alice.InviteUser(ctx, room, &mautrix.ReqInviteUser{UserID: bob.UserID})
	require.NoError(t, err)
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)
}

func TestRoomBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	require.NoError(t, err)
	room := created.RoomID
	big := make([]byte, 70000)
	for i := range big {
		big[i] = 'a'
	}
	for _, tc := range []struct {
		name    string
		req     servertest.Request
		status  int
		errcode string
	}{
		{"unknown room", servertest.Request{Method: http.MethodPut, Path: roomPath("!nowhere:hearth.test", "/send/m.room.message/1"),
			Body: map[string]any{"body": "x"}}, http.StatusForbidden, "M_FORBIDDEN"},
		{"invalid room ID", servertest.Request{Method: http.MethodPut, Path: roomPath("nowhere", "/send/m.room.message/1"),
			Body: map[string]any{"body": "x"}}, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"oversize event", servertest.Request{Method: http.MethodPut, Path: roomPath(room, "/send/m.room.message/2"),
			Body: map[string]any{"body": string(big)}}, http.StatusRequestEntityTooLarge, "M_TOO_LARGE"},
		{"float in content", servertest.Request{Method: http.MethodPut, Path: roomPath(room, "/send/m.room.message/3"),
			Body: `{"body": "x", "n": 1.5}`}, http.StatusBadRequest, "M_BAD_JSON"},
		{"power level of the wrong type", servertest.Request{Method: http.MethodPut, Path: roomPath(room, "/state/m.room.power_levels/"),
			Body: map[string]any{"users": map[string]any{string(alice.UserID): "100"}}}, http.StatusBadRequest, "M_BAD_JSON"},
		{"ban level as a string", servertest.Request{Method: http.MethodPut, Path: roomPath(room, "/state/m.room.power_levels"),
			Body: map[string]any{"ban": "50"}}, http.StatusBadRequest, "M_BAD_JSON"},
		{"member without membership", servertest.Request{Method: http.MethodPut, Path: roomPath(room, "/state/m.room.member/"+url.PathEscape(string(alice.UserID))),
			Body: map[string]any{"displayname": "Alice"}}, http.StatusBadRequest, "M_BAD_JSON"},
		{"member with a wrong membership", servertest.Request{Method: http.MethodPut, Path: roomPath(room, "/state/m.room.member/"+url.PathEscape(string(alice.UserID))),
			Body: map[string]any{"membership": 7}}, http.StatusBadRequest, "M_BAD_JSON"},
		{"unknown state", servertest.Request{Method: http.MethodGet, Path: roomPath(room, "/state/m.room.nothing/")},
			http.StatusNotFound, "M_NOT_FOUND"},
		{"unknown event", servertest.Request{Method: http.MethodGet, Path: roomPath(room, "/event/$nope")},
			http.StatusNotFound, "M_NOT_FOUND"},
		{"unsupported room version", servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/createRoom",
			Body: map[string]any{"room_version": "9"}}, http.StatusBadRequest, "M_UNSUPPORTED_ROOM_VERSION"},
		{"invite_3pid", servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/createRoom",
			Body: map[string]any{"invite_3pid": []any{map[string]any{"id_server": "id.example", "id_access_token": "t", "medium": "email", "address": "a@b.c"}}}},
			http.StatusBadRequest, "M_SERVER_NOT_TRUSTED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Token = alice.AccessToken
			before := eventCount(t, s, room)
			r := s.Do(t, tc.req)
			require.Equal(t, tc.status, r.Status, "%s", r.Raw)
			require.Equal(t, tc.errcode, r.Errcode())
			require.Equal(t, before, eventCount(t, s, room))
		})
	}
}
