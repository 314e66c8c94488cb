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

// membershipOf reads a user's member event content in a room, as who sees it.
func membershipOf(t *testing.T, who *mautrix.Client, room id.RoomID, user id.UserID) map[string]any {
	t.Helper()
	return stateContent(t, who, room, event.StateMember, string(user))
}

func TestKnocking(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")

	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", RoomAliasName: "door",
		InitialState: []*event.Event{stateEvent(event.StateJoinRules, map[string]any{"join_rule": "knock"})}})
	require.NoError(t, err)
	room := created.RoomID

	_, err = bob.JoinRoomByID(ctx, room)
	require.ErrorIs(t, err, mautrix.MForbidden, "a knock room needs an invite to join")
	knocked, err := bob.KnockRoom(ctx, "#door:hearth.test", &mautrix.ReqKnockRoom{Reason: "let me in"})
	require.NoError(t, err, "knock by alias")
	require.Equal(t, room, knocked.RoomID)

	// Moderators see the knock and its reason.
	knock := membershipOf(t, alice, room, bob.UserID)
	require.Equal(t, "knock", knock["membership"])
	require.Equal(t, "let me in", knock["reason"])
	members, err := alice.Members(ctx, room, mautrix.ReqMembers{Membership: event.MembershipKnock})
	require.NoError(t, err)
	require.Len(t, members.Chunk, 1)
	require.Equal(t, bob.UserID.String(), *members.Chunk[0].StateKey)
	_, err = bob.SendText(ctx, room, "hello?")
	require.ErrorIs(t, err, mautrix.MForbidden, "a knocker is not in the room")

	// An invite accepts the knock.
	_, err = alice.InviteUser(ctx, room, &mautrix.ReqInviteUser{UserID: bob.UserID})
	require.NoError(t, err)
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)
	require.Equal(t, "join", membershipOf(t, alice, room, bob.UserID)["membership"])

	// Leaving withdraws a knock; one may knock again.
	_, err = carol.KnockRoom(ctx, string(room), &mautrix.ReqKnockRoom{Reason: "me too"})
	require.NoError(t, err)
	_, err = carol.LeaveRoom(ctx, room)
	require.NoError(t, err)
	require.Equal(t, "leave", membershipOf(t, alice, room, carol.UserID)["membership"])
	_, err = carol.KnockRoom(ctx, string(room), nil)
	require.NoError(t, err)
	// A moderator may refuse it by kicking.
	_, err = alice.KickUser(ctx, room, &mautrix.ReqKickUser{UserID: carol.UserID, Reason: "not today"})
	require.NoError(t, err)
	require.Equal(t, "leave", membershipOf(t, alice, room, carol.UserID)["membership"])

	// Rooms whose rules do not allow knocking.
	for _, preset := range []string{"public_chat", "private_chat"} {
		other, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: preset})
		require.NoError(t, err)
		_, err = carol.KnockRoom(ctx, string(other.RoomID), nil)
		require.ErrorIs(t, err, mautrix.MForbidden, preset)
	}
	for _, tc := range []struct {
		name, room string
		status     int
		errcode    string
	}{
		{"an unknown room", "!void:hearth.test", http.StatusNotFound, "M_NOT_FOUND"},
		{"an unknown alias", "#void:hearth.test", http.StatusNotFound, "M_NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/knock/" + url.PathEscape(tc.room), Token: carol.AccessToken, Body: map[string]any{}})
			require.Equal(t, tc.status, r.Status, "%s", r.Raw)
			require.Equal(t, tc.errcode, r.Errcode())
		})
	}
}

func TestRestrictedJoins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	carol := s.Register(t, "carol", "christmas1")
	dave := s.Register(t, "dave", "diamonds1")

	space, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", CreationContent: map[string]any{"type": "m.space"},
		Invite: []id.UserID{carol.UserID}})
	require.NoError(t, err)
	_, err = carol.JoinRoomByID(ctx, space.RoomID)
	require.NoError(t, err)
	allow := []any{map[string]any{"type": "m.room_membership", "room_id": string(space.RoomID)}}

	for _, rule := range []string{"restricted", "knock_restricted"} {
		t.Run(rule, func(t *testing.T) {
			created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat",
				InitialState: []*event.Event{stateEvent(event.StateJoinRules, map[string]any{"join_rule": rule, "allow": allow})}})
			require.NoError(t, err)
			room := created.RoomID

			// A member of the space joins without an invite, authorised by
			// a local member who may invite.
			_, err = carol.JoinRoomByID(ctx, room)
			require.NoError(t, err)
			join := membershipOf(t, alice, room, carol.UserID)
			require.Equal(t, "join", join["membership"])
			require.Equal(t, string(alice.UserID), join["join_authorised_via_users_server"])

			// Others may not.
			before := eventCount(t, s, room)
			_, err = dave.JoinRoomByID(ctx, room)
			require.ErrorIs(t, err, mautrix.MForbidden)
			require.Equal(t, before, eventCount(t, s, room))

			_, err = dave.KnockRoom(ctx, string(room), &mautrix.ReqKnockRoom{Reason: "hello"})
			if rule == "restricted" {
				require.ErrorIs(t, err, mautrix.MForbidden, "restricted rooms take no knocks")
				return
			}
			require.NoError(t, err, "knock_restricted rooms take knocks")
			_, err = alice.InviteUser(ctx, room, &mautrix.ReqInviteUser{UserID: dave.UserID})
			require.NoError(t, err)
			_, err = dave.JoinRoomByID(ctx, room)
			require.NoError(t, err)
			join = membershipOf(t, alice, room, dave.UserID)
			require.Equal(t, "join", join["membership"])
			require.NotContains(t, join, "join_authorised_via_users_server", "an invited user needs no authoriser")
		})
	}
}

func TestForget(t *testing.T) {
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

	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: roomPath(room, "/forget"), Token: bob.AccessToken, Body: map[string]any{}})
	require.Equal(t, http.StatusBadRequest, r.Status, "a joined room cannot be forgotten: %s", r.Raw)
	require.Equal(t, "M_UNKNOWN", r.Errcode())

	_, err = bob.LeaveRoom(ctx, room)
	require.NoError(t, err)
	_, err = bob.ForgetRoom(ctx, room)
	require.NoError(t, err)
	var forgotten bool
	require.NoError(t, s.App.Pool.QueryRow(ctx, `SELECT m.forgotten FROM memberships m JOIN rooms r USING (room_nid)
		WHERE r.room_id = $1 AND m.user_id = $2`, string(room), string(bob.UserID)).Scan(&forgotten))
	require.True(t, forgotten)

	// Joining again brings the room back.
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)
	require.NoError(t, s.App.Pool.QueryRow(ctx, `SELECT m.forgotten FROM memberships m JOIN rooms r USING (room_nid)
		WHERE r.room_id = $1 AND m.user_id = $2`, string(room), string(bob.UserID)).Scan(&forgotten))
	require.False(t, forgotten)
}
