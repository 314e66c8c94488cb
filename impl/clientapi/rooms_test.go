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

func TestRoomLifecycleWithMautrix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")

	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{
		Name: "Tea party", Topic: "unbirthdays", Preset: "private_chat", Invite: []id.UserID{bob.UserID},
	})
	require.NoError(t, err)
	room := created.RoomID

	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)

	sent, err := alice.SendText(ctx, room, "hello bob")
	require.NoError(t, err)

	ev, err := bob.GetEvent(ctx, room, sent.EventID)
	require.NoError(t, err)
	require.Equal(t, alice.UserID, ev.Sender)
	require.NoError(t, ev.Content.ParseRaw(ev.Type))
	require.Equal(t, "hello bob", ev.Content.AsMessage().Body)

	var name event.RoomNameEventContent
	require.NoError(t, bob.StateEvent(ctx, room, event.StateRoomName, "", &name))
	require.Equal(t, "Tea party", name.Name)

	members, err := alice.JoinedMembers(ctx, room)
	require.NoError(t, err)
	require.Len(t, members.Joined, 2)

	joined, err := bob.JoinedRooms(ctx)
	require.NoError(t, err)
	require.Equal(t, []id.RoomID{room}, joined.JoinedRooms)

	_, err = alice.RedactEvent(ctx, room, sent.EventID, mautrix.ReqRedact{Reason: "oops"})
	require.NoError(t, err)
	ev, err = bob.GetEvent(ctx, room, sent.EventID)
	require.NoError(t, err)
	require.Empty(t, ev.Content.Raw, "redacted content is gone")
	require.NotNil(t, ev.Unsigned.RedactedBecause)

	// The empty state key, with and without the trailing slash.
	for _, path := range []string{"/state/m.room.topic", "/state/m.room.topic/"} {
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/rooms/" + url.PathEscape(string(room)) + path, Token: bob.AccessToken})
		require.Equal(t, http.StatusOK, r.Status, "%s: %s", path, r.Raw)
		require.Equal(t, "unbirthdays", r.Body["topic"])
	}

	_, err = bob.LeaveRoom(ctx, room)
	require.NoError(t, err)
	_, err = bob.SendText(ctx, room, "still here?")
	require.ErrorIs(t, err, mautrix.MForbidden)
}
