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

// mUserSuspended is the error of a suspended account (mautrix-go has no
// name for it).
var mUserSuspended = mautrix.RespError{ErrCode: "M_USER_SUSPENDED"}

// serverAdmin creates a server admin as an operator does and logs it in.
func serverAdmin(t *testing.T, s *servertest.Server, name string) *mautrix.Client {
	t.Helper()
	ctx := context.Background()
	_, err := s.App.Accounts.CreateUser(ctx, name, "correct horse", true)
	require.NoError(t, err)
	cli := s.Client(t, "", "")
	_, err = cli.Login(ctx, &mautrix.ReqLogin{Type: mautrix.AuthTypePassword, StoreCredentials: true,
		Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: name}, Password: "correct horse"})
	require.NoError(t, err)
	return cli
}

func moderationPath(kind string, user id.UserID) string {
	return "/_matrix/client/v1/admin/" + kind + "/" + url.PathEscape(string(user))
}

func TestAdminEndpointsRefuseNonAdmins(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder123")
	for _, r := range []servertest.Request{
		{Method: http.MethodGet, Path: moderationPath("suspend", bob.UserID)},
		{Method: http.MethodPut, Path: moderationPath("suspend", bob.UserID), Body: map[string]any{"suspended": true}},
		{Method: http.MethodGet, Path: moderationPath("lock", bob.UserID)},
		{Method: http.MethodPut, Path: moderationPath("lock", bob.UserID), Body: map[string]any{"locked": true}},
		{Method: http.MethodGet, Path: moderationPath("suspend", "@nobody:hearth.test")}, // no enumeration
		{Method: http.MethodGet, Path: "/_matrix/client/v3/admin/whois/" + url.PathEscape(string(bob.UserID))},
	} {
		r.Token = alice.AccessToken
		got := s.Do(t, r)
		require.Equal(t, http.StatusForbidden, got.Status, "%s %s: %s", r.Method, r.Path, got.Raw)
		require.Equal(t, "M_FORBIDDEN", got.Errcode())
	}
	// Whois about oneself is allowed.
	got := s.Do(t, servertest.Request{Method: http.MethodGet, Token: alice.AccessToken,
		Path: "/_matrix/client/v3/admin/whois/" + url.PathEscape(string(alice.UserID))})
	require.Equal(t, http.StatusOK, got.Status, "%s", got.Raw)
	require.Equal(t, string(alice.UserID), got.Body["user_id"])
	require.Contains(t, got.Body["devices"], string(alice.DeviceID))
}

func TestSuspensionTakesEffectOnTheNextRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	root := serverAdmin(t, s, "root")
	alice := s.Register(t, "alice", "wonderland1")
	room, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	other, err := root.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	sent, err := alice.SendText(ctx, room.RoomID, "before")
	require.NoError(t, err)

	put := func(path string, body map[string]any) servertest.Response {
		return s.Do(t, servertest.Request{Method: http.MethodPut, Path: path, Token: root.AccessToken, Body: body})
	}
	r := put(moderationPath("suspend", alice.UserID), map[string]any{"suspended": true})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, map[string]any{"suspended": true}, r.Body)
	get := s.Do(t, servertest.Request{Method: http.MethodGet, Path: moderationPath("suspend", alice.UserID), Token: root.AccessToken})
	require.Equal(t, map[string]any{"suspended": true}, get.Body)

	// Writes others would see are refused...
	_, err = alice.SendText(ctx, room.RoomID, "after")
	require.ErrorIs(t, err, mUserSuspended)
	_, err = alice.JoinRoomByID(ctx, other.RoomID)
	require.ErrorIs(t, err, mUserSuspended)
	_, err = alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{})
	require.ErrorIs(t, err, mUserSuspended)
	_, err = alice.SendStateEvent(ctx, room.RoomID, event.StateTopic, "", map[string]any{"topic": "x"})
	require.ErrorIs(t, err, mUserSuspended)
	_, err = alice.UploadBytes(ctx, []byte("x"), "text/plain")
	require.ErrorIs(t, err, mUserSuspended)
	// ...reading, redacting their own events and leaving are not.
	_, err = alice.Messages(ctx, room.RoomID, "", "", mautrix.DirectionBackward, nil, 10)
	require.NoError(t, err)
	_, err = alice.SyncRequest(ctx, 0, "", "", false, event.PresenceOnline)
	require.NoError(t, err)
	_, err = alice.RedactEvent(ctx, room.RoomID, sent.EventID)
	require.NoError(t, err)
	_, err = alice.LeaveRoom(ctx, room.RoomID)
	require.NoError(t, err)

	r = put(moderationPath("suspend", alice.UserID), map[string]any{"suspended": false})
	require.Equal(t, http.StatusOK, r.Status)
	_, err = alice.JoinRoomByID(ctx, other.RoomID)
	require.NoError(t, err)

	// Admins are not moderated here, nor are other servers' users or
	// accounts that do not exist.
	r = put(moderationPath("suspend", root.UserID), map[string]any{"suspended": true})
	require.Equal(t, http.StatusForbidden, r.Status)
	r = put(moderationPath("suspend", "@alice:other.test"), map[string]any{"suspended": true})
	require.Equal(t, http.StatusBadRequest, r.Status)
	require.Equal(t, "M_INVALID_PARAM", r.Errcode())
	r = put(moderationPath("suspend", "@nobody:hearth.test"), map[string]any{"suspended": true})
	require.Equal(t, http.StatusNotFound, r.Status)
}

func TestLockTakesEffectOnTheNextRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	root := serverAdmin(t, s, "root")
	alice := s.Register(t, "alice", "wonderland1")
	second := s.Client(t, "", "")
	_, err := second.Login(ctx, &mautrix.ReqLogin{Type: mautrix.AuthTypePassword, StoreCredentials: true,
		Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: "alice"}, Password: "wonderland1"})
	require.NoError(t, err)

	r := s.Do(t, servertest.Request{Method: http.MethodPut, Path: moderationPath("lock", alice.UserID), Token: root.AccessToken,
		Body: map[string]any{"locked": true}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)

	// Every request of every session: 401 M_USER_LOCKED with soft_logout.
	for _, req := range []servertest.Request{
		{Method: http.MethodGet, Path: "/_matrix/client/v3/account/whoami"},
		{Method: http.MethodGet, Path: "/_matrix/client/v3/joined_rooms"},
		{Method: http.MethodPost, Path: "/_matrix/client/v3/createRoom", Body: map[string]any{}},
	} {
		req.Token = alice.AccessToken
		got := s.Do(t, req)
		require.Equal(t, http.StatusUnauthorized, got.Status, "%s: %s", req.Path, got.Raw)
		require.Equal(t, "M_USER_LOCKED", got.Errcode())
		require.Equal(t, true, got.Body["soft_logout"])
	}
	_, err = alice.Login(ctx, &mautrix.ReqLogin{Type: mautrix.AuthTypePassword,
		Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: "alice"}, Password: "wonderland1"})
	require.ErrorContains(t, err, "M_USER_LOCKED", "no new sessions either")
	// Logging out stays possible; the tokens survive the lock otherwise.
	_, err = second.Logout(ctx)
	require.NoError(t, err)

	got := s.Do(t, servertest.Request{Method: http.MethodGet, Path: moderationPath("lock", alice.UserID), Token: root.AccessToken})
	require.Equal(t, map[string]any{"locked": true}, got.Body)
	r = s.Do(t, servertest.Request{Method: http.MethodPut, Path: moderationPath("lock", alice.UserID), Token: root.AccessToken,
		Body: map[string]any{"locked": false}})
	require.Equal(t, http.StatusOK, r.Status)
	_, err = alice.Whoami(ctx)
	require.NoError(t, err)
}

func TestAdminWhois(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	root := serverAdmin(t, s, "root")
	alice := s.Register(t, "alice", "wonderland1")
	_, err := alice.Whoami(ctx)
	require.NoError(t, err)
	got := s.Do(t, servertest.Request{Method: http.MethodGet, Token: root.AccessToken,
		Path: "/_matrix/client/v3/admin/whois/" + url.PathEscape(string(alice.UserID))})
	require.Equal(t, http.StatusOK, got.Status, "%s", got.Raw)
	dev := got.Body["devices"].(map[string]any)[string(alice.DeviceID)].(map[string]any)
	conn := dev["sessions"].([]any)[0].(map[string]any)["connections"].([]any)[0].(map[string]any)
	require.Equal(t, "127.0.0.1", conn["ip"])
	require.NotEmpty(t, conn["user_agent"])
}
