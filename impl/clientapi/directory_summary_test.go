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

func summaryPath(room string) string {
	return "/_matrix/client/v1/room_summary/" + url.PathEscape(room)
}

func TestRoomSummary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")
	anon := s.Client(t, "", "")
	for _, c := range []*mautrix.Client{alice, bob, carol, anon} {
		// Learn the spec versions, so that the client uses the stable
		// room_summary path (v1.15).
		_, err := c.Versions(ctx)
		require.NoError(t, err)
	}

	pub, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat", Name: "Tea Party", Topic: "unbirthdays",
		RoomAliasName: "tea", RoomVersion: id.RoomV11, InitialState: []*event.Event{
			stateEvent(event.StateEncryption, map[string]any{"algorithm": "m.megolm.v1.aes-sha2"}),
			stateEvent(event.StateRoomAvatar, map[string]any{"url": "mxc://hearth.test/hat"}),
		}})
	require.NoError(t, err)

	t.Run("public room, without a token, by alias", func(t *testing.T) {
		sum, err := anon.GetRoomSummary(ctx, "#tea:hearth.test")
		require.NoError(t, err)
		require.Equal(t, pub.RoomID, sum.RoomID)
		require.Equal(t, "Tea Party", sum.Name)
		require.Equal(t, "unbirthdays", sum.Topic)
		require.Equal(t, id.RoomAlias("#tea:hearth.test"), sum.CanonicalAlias)
		require.Equal(t, id.ContentURIString("mxc://hearth.test/hat"), sum.AvatarURL)
		require.Equal(t, event.JoinRulePublic, sum.JoinRule)
		require.Equal(t, 1, sum.NumJoinedMembers)
		require.Equal(t, id.RoomV11, sum.RoomVersion)
		require.Equal(t, id.AlgorithmMegolmV1, sum.Encryption)
		require.Empty(t, sum.Membership, "no membership without a token")
	})
	t.Run("memberships", func(t *testing.T) {
		sum, err := alice.GetRoomSummary(ctx, string(pub.RoomID))
		require.NoError(t, err)
		require.Equal(t, event.MembershipJoin, sum.Membership)
		sum, err = bob.GetRoomSummary(ctx, string(pub.RoomID))
		require.NoError(t, err)
		require.Equal(t, event.MembershipLeave, sum.Membership)
	})

	private, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Name: "Secret", Invite: []id.UserID{bob.UserID}})
	require.NoError(t, err)
	readable, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Name: "Read only",
		InitialState: []*event.Event{stateEvent(event.StateHistoryVisibility, map[string]any{"history_visibility": "world_readable"})}})
	require.NoError(t, err)
	knock, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Name: "Knock here",
		InitialState: []*event.Event{stateEvent(event.StateJoinRules, map[string]any{"join_rule": "knock"})}})
	require.NoError(t, err)
	space, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Name: "Wonderland",
		CreationContent: map[string]any{"type": "m.space"}, Invite: []id.UserID{carol.UserID}})
	require.NoError(t, err)
	_, err = carol.JoinRoomByID(ctx, space.RoomID)
	require.NoError(t, err)
	restricted, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Name: "Members only",
		InitialState: []*event.Event{stateEvent(event.StateJoinRules, map[string]any{"join_rule": "restricted",
			"allow": []any{map[string]any{"type": "m.room_membership", "room_id": string(space.RoomID)}}})}})
	require.NoError(t, err)

	for _, tc := range []struct {
		name   string
		who    *mautrix.Client
		room   id.RoomID
		status int
	}{
		{"private room, without a token", anon, private.RoomID, http.StatusNotFound},
		{"private room, an outsider", carol, private.RoomID, http.StatusNotFound},
		{"private room, invited", bob, private.RoomID, http.StatusOK},
		{"world-readable room, without a token", anon, readable.RoomID, http.StatusOK},
		{"knock room, without a token", anon, knock.RoomID, http.StatusOK},
		{"restricted room, without a token", anon, restricted.RoomID, http.StatusNotFound},
		{"restricted room, a member of the allowed space", carol, restricted.RoomID, http.StatusOK},
		{"restricted room, an outsider", bob, restricted.RoomID, http.StatusNotFound},
		{"unknown room", alice, "!void:hearth.test", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: summaryPath(string(tc.room)), Token: tc.who.AccessToken})
			require.Equal(t, tc.status, r.Status, "%s", r.Raw)
			if tc.status == http.StatusNotFound {
				// The same answer as for rooms that do not exist.
				require.Equal(t, map[string]any{"errcode": "M_NOT_FOUND", "error": "room not found"}, r.Body)
			}
		})
	}

	sum, err := bob.GetRoomSummary(ctx, string(private.RoomID))
	require.NoError(t, err)
	require.Equal(t, event.MembershipInvite, sum.Membership)
	sum, err = carol.GetRoomSummary(ctx, string(restricted.RoomID))
	require.NoError(t, err)
	require.Equal(t, []id.RoomID{space.RoomID}, sum.AllowedRoomIDs)
	require.Equal(t, event.JoinRuleRestricted, sum.JoinRule)
	sum, err = carol.GetRoomSummary(ctx, string(space.RoomID))
	require.NoError(t, err)
	require.Equal(t, event.RoomTypeSpace, sum.RoomType)
	require.Equal(t, 2, sum.NumJoinedMembers)

	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: summaryPath("#nowhere:elsewhere.test")})
	require.Equal(t, http.StatusNotFound, r.Status, "another server's alias: %s", r.Raw)
}
