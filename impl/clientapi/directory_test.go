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

// registerAdmin makes a server admin through the same path as `hearth user
// create --admin`, and logs them in.
func registerAdmin(t *testing.T, s *servertest.Server, localpart string) *mautrix.Client {
	t.Helper()
	ctx := context.Background()
	_, err := s.App.Accounts.CreateUser(ctx, localpart, "adminpass1", true)
	require.NoError(t, err)
	cli := s.Client(t, "", "")
	_, err = cli.Login(ctx, &mautrix.ReqLogin{
		Type:       mautrix.AuthTypePassword,
		Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: localpart},
		Password:   "adminpass1", StoreCredentials: true,
	})
	require.NoError(t, err)
	return cli
}

func aliasPath(alias id.RoomAlias) string {
	return "/_matrix/client/v3/directory/room/" + url.PathEscape(string(alias))
}

func TestRoomAliases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")
	admin := registerAdmin(t, s, "root")
	anon := s.Client(t, "", "")

	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{bob.UserID}})
	require.NoError(t, err)
	room := created.RoomID
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)

	tea := id.RoomAlias("#tea:hearth.test")
	_, err = alice.CreateAlias(ctx, tea, room)
	require.NoError(t, err)
	resolved, err := anon.ResolveAlias(ctx, tea)
	require.NoError(t, err, "resolving needs no access token")
	require.Equal(t, room, resolved.RoomID)
	require.Equal(t, []string{"hearth.test"}, resolved.Servers)
	joined, err := bob.JoinRoom(ctx, string(tea), nil)
	require.NoError(t, err, "an alias joins its room")
	require.Equal(t, room, joined.RoomID)

	// Members may make aliases (Synapse's rule); outsiders may not.
	_, err = bob.CreateAlias(ctx, "#bob:hearth.test", room)
	require.NoError(t, err)
	_, err = carol.CreateAlias(ctx, "#carol:hearth.test", room)
	require.ErrorIs(t, err, mautrix.MForbidden)

	for _, tc := range []struct {
		name    string
		req     servertest.Request
		token   string
		status  int
		errcode string
	}{
		{"taken alias", servertest.Request{Method: http.MethodPut, Path: aliasPath(tea), Body: map[string]string{"room_id": string(room)}},
			bob.AccessToken, http.StatusConflict, "M_ROOM_IN_USE"},
		{"alias of another server", servertest.Request{Method: http.MethodPut, Path: aliasPath("#tea:elsewhere.test"), Body: map[string]string{"room_id": string(room)}},
			alice.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"alias with a space", servertest.Request{Method: http.MethodPut, Path: aliasPath("#tea party:hearth.test"), Body: map[string]string{"room_id": string(room)}},
			alice.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"alias without a server", servertest.Request{Method: http.MethodPut, Path: aliasPath("#tea"), Body: map[string]string{"room_id": string(room)}},
			alice.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"unknown room", servertest.Request{Method: http.MethodPut, Path: aliasPath("#void:hearth.test"), Body: map[string]string{"room_id": "!void:hearth.test"}},
			alice.AccessToken, http.StatusForbidden, "M_FORBIDDEN"},
		{"unknown room, as an admin", servertest.Request{Method: http.MethodPut, Path: aliasPath("#void:hearth.test"), Body: map[string]string{"room_id": "!void:hearth.test"}},
			admin.AccessToken, http.StatusNotFound, "M_NOT_FOUND"},
		{"resolve an unknown alias", servertest.Request{Method: http.MethodGet, Path: aliasPath("#nowhere:hearth.test")},
			"", http.StatusNotFound, "M_NOT_FOUND"},
		{"resolve another server's alias", servertest.Request{Method: http.MethodGet, Path: aliasPath("#tea:elsewhere.test")},
			"", http.StatusNotFound, "M_NOT_FOUND"},
		{"delete an unknown alias", servertest.Request{Method: http.MethodDelete, Path: aliasPath("#nowhere:hearth.test")},
			alice.AccessToken, http.StatusNotFound, "M_NOT_FOUND"},
		{"delete without a token", servertest.Request{Method: http.MethodDelete, Path: aliasPath(tea)},
			"", http.StatusUnauthorized, "M_MISSING_TOKEN"},
		{"outsider lists aliases", servertest.Request{Method: http.MethodGet, Path: roomPath(room, "/aliases")},
			carol.AccessToken, http.StatusForbidden, "M_FORBIDDEN"},
		{"aliases of an unknown room", servertest.Request{Method: http.MethodGet, Path: roomPath("!void:hearth.test", "/aliases")},
			alice.AccessToken, http.StatusForbidden, "M_FORBIDDEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Token = tc.token
			r := s.Do(t, tc.req)
			require.Equal(t, tc.status, r.Status, "%s", r.Raw)
			require.Equal(t, tc.errcode, r.Errcode())
		})
	}

	list, err := alice.GetAliases(ctx, room)
	require.NoError(t, err)
	require.Equal(t, []id.RoomAlias{"#bob:hearth.test", tea}, list.Aliases)
	list, err = admin.GetAliases(ctx, room)
	require.NoError(t, err, "admins list aliases of rooms they are not in")
	require.Len(t, list.Aliases, 2)

	// Deleting: not someone else's without power; one's own; anyone's
	// with the power to send m.room.canonical_alias; anything as an admin.
	_, err = bob.DeleteAlias(ctx, tea)
	require.ErrorIs(t, err, mautrix.MForbidden)
	_, err = carol.DeleteAlias(ctx, tea)
	require.ErrorIs(t, err, mautrix.MForbidden)
	_, err = bob.DeleteAlias(ctx, "#bob:hearth.test")
	require.NoError(t, err)
	_, err = bob.CreateAlias(ctx, "#bob2:hearth.test", room)
	require.NoError(t, err)
	_, err = alice.DeleteAlias(ctx, "#bob2:hearth.test")
	require.NoError(t, err, "a moderator deletes a member's alias")
	_, err = admin.DeleteAlias(ctx, tea)
	require.NoError(t, err)
	_, err = anon.ResolveAlias(ctx, tea)
	require.ErrorIs(t, err, mautrix.MNotFound)
	list, err = alice.GetAliases(ctx, room)
	require.NoError(t, err)
	require.Empty(t, list.Aliases)

	// A deleted alias can be taken again, by another room.
	other, err := carol.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	require.NoError(t, err)
	_, err = carol.CreateAlias(ctx, tea, other.RoomID)
	require.NoError(t, err)
	resolved, err = anon.ResolveAlias(ctx, tea)
	require.NoError(t, err)
	require.Equal(t, other.RoomID, resolved.RoomID)
}

func TestDeletingTheCanonicalAliasLeavesTheState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat", RoomAliasName: "party"})
	require.NoError(t, err)
	_, err = alice.DeleteAlias(ctx, "#party:hearth.test")
	require.NoError(t, err)
	var content event.CanonicalAliasEventContent
	require.NoError(t, alice.StateEvent(ctx, created.RoomID, event.StateCanonicalAlias, "", &content))
	require.Equal(t, id.RoomAlias("#party:hearth.test"), content.Alias, "the spec lets servers leave it")
	_, err = alice.ResolveAlias(ctx, "#party:hearth.test")
	require.ErrorIs(t, err, mautrix.MNotFound)
}

func TestWorldReadableRoomsListAliasesToAnyone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	carol := s.Register(t, "carol", "christmas1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", RoomAliasName: "open",
		InitialState: []*event.Event{{Type: event.StateHistoryVisibility, Content: event.Content{Raw: map[string]any{"history_visibility": "world_readable"}}}}})
	require.NoError(t, err)
	list, err := carol.GetAliases(ctx, created.RoomID)
	require.NoError(t, err)
	require.Equal(t, []id.RoomAlias{"#open:hearth.test"}, list.Aliases)
}

func visibilityPath(room id.RoomID) string {
	return "/_matrix/client/v3/directory/list/room/" + url.PathEscape(string(room))
}

func TestDirectoryVisibility(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")
	admin := registerAdmin(t, s, "root")

	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{bob.UserID}})
	require.NoError(t, err)
	room := created.RoomID
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)
	visibility := func() any {
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: visibilityPath(room)})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		return r.Body["visibility"]
	}
	set := func(token string, body any) servertest.Response {
		return s.Do(t, servertest.Request{Method: http.MethodPut, Path: visibilityPath(room), Token: token, Body: body})
	}
	require.Equal(t, "private", visibility(), "read without a token")

	r := set(alice.AccessToken, map[string]string{"visibility": "public"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "public", visibility())
	r = set(bob.AccessToken, map[string]string{"visibility": "private"})
	require.Equal(t, http.StatusForbidden, r.Status, "a member without power: %s", r.Raw)
	r = set(carol.AccessToken, map[string]string{"visibility": "private"})
	require.Equal(t, http.StatusForbidden, r.Status, "an outsider: %s", r.Raw)
	require.Equal(t, "public", visibility())
	r = set(admin.AccessToken, map[string]string{"visibility": "private"})
	require.Equal(t, http.StatusOK, r.Status, "an admin: %s", r.Raw)
	require.Equal(t, "private", visibility())
	r = set(alice.AccessToken, map[string]any{})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "public", visibility(), "the visibility defaults to public")

	unknown := visibilityPath("!void:hearth.test")
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: unknown})
	require.Equal(t, http.StatusNotFound, r.Status)
	require.Equal(t, "M_NOT_FOUND", r.Errcode())
	r = s.Do(t, servertest.Request{Method: http.MethodPut, Path: unknown, Token: alice.AccessToken, Body: map[string]string{"visibility": "public"}})
	require.Equal(t, http.StatusNotFound, r.Status)
	require.Equal(t, "M_NOT_FOUND", r.Errcode())

	// createRoom's visibility publishes too.
	pub, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat", Visibility: "public"})
	require.NoError(t, err)
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: visibilityPath(pub.RoomID)})
	require.Equal(t, "public", r.Body["visibility"])
}
