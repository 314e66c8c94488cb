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

type storedReport struct {
	Reporter, Room, Event, User, Reason string
}

// reportsOf reads the reports a user made, oldest first, from the database.
func reportsOf(t *testing.T, s *servertest.Server, reporter id.UserID) []storedReport {
	rows, err := s.App.Pool.Query(context.Background(),
		`SELECT reporter, coalesce(room_id, ''), coalesce(event_id, ''), coalesce(user_id, ''), coalesce(reason, '')
		 FROM reports WHERE reporter = $1 ORDER BY report_id`, string(reporter))
	require.NoError(t, err)
	defer rows.Close()
	var out []storedReport
	for rows.Next() {
		var r storedReport
		require.NoError(t, rows.Scan(&r.Reporter, &r.Room, &r.Event, &r.User, &r.Reason))
		out = append(out, r)
	}
	require.NoError(t, rows.Err())
	return out
}

func TestReports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")

	// Bob joins after the first message, in a room whose members see only
	// what was sent while they were in it.
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat",
		InitialState: []*event.Event{stateEvent(event.StateHistoryVisibility, map[string]any{"history_visibility": "joined"})}})
	require.NoError(t, err)
	room := created.RoomID
	before, err := alice.SendText(ctx, room, "before bob")
	require.NoError(t, err)
	_, err = alice.InviteUser(ctx, room, &mautrix.ReqInviteUser{UserID: bob.UserID})
	require.NoError(t, err)
	_, err = bob.JoinRoomByID(ctx, room)
	require.NoError(t, err)
	rude, err := alice.SendText(ctx, room, "something rude")
	require.NoError(t, err)
	elsewhere, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	require.NoError(t, err)
	elsewhereMsg, err := alice.SendText(ctx, elsewhere.RoomID, "not bob's business")
	require.NoError(t, err)

	require.NoError(t, bob.ReportEvent(ctx, room, rude.EventID, "rude"))
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: roomPath(room, "/report/"+url.PathEscape(string(rude.EventID))),
		Token: bob.AccessToken, Body: map[string]any{}})
	require.Equal(t, http.StatusOK, r.Status, "the reason is optional: %s", r.Raw)

	// Every event bob may not report gets the same answer.
	for _, tc := range []struct {
		name  string
		who   *mautrix.Client
		room  id.RoomID
		event id.EventID
	}{
		{"not joined to the room", carol, room, rude.EventID},
		{"an unknown event", bob, room, "$nothing"},
		{"an event of another room", bob, room, elsewhereMsg.EventID},
		{"the event's room, not joined", bob, elsewhere.RoomID, elsewhereMsg.EventID},
		{"an event from before joining", bob, room, before.EventID},
		{"an unknown room", bob, "!void:hearth.test", rude.EventID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: roomPath(tc.room, "/report/"+url.PathEscape(string(tc.event))),
				Token: tc.who.AccessToken, Body: map[string]string{"reason": "spam"}})
			require.Equal(t, http.StatusNotFound, r.Status, "%s", r.Raw)
			require.Equal(t, map[string]any{"errcode": "M_NOT_FOUND", "error": "the event was not found or you are not joined to its room"}, r.Body)
		})
	}

	// Rooms need no membership; users of other servers cannot be checked.
	require.NoError(t, carol.ReportRoom(ctx, room, "a den of rudeness"))
	require.NoError(t, carol.ReportUser(ctx, alice.UserID, "rude"))
	require.NoError(t, carol.ReportUser(ctx, "@mallory:elsewhere.test", "spam"))
	err = carol.ReportRoom(ctx, "!void:hearth.test", "?")
	require.ErrorIs(t, err, mautrix.MNotFound)
	err = carol.ReportUser(ctx, "@nobody:hearth.test", "?")
	require.ErrorIs(t, err, mautrix.MNotFound)
	r = s.Do(t, servertest.Request{Method: http.MethodPost, Path: roomPath(room, "/report"), Body: map[string]string{"reason": "x"}})
	require.Equal(t, http.StatusUnauthorized, r.Status)

	require.Equal(t, []storedReport{
		{Reporter: string(bob.UserID), Room: string(room), Event: string(rude.EventID), Reason: "rude"},
		{Reporter: string(bob.UserID), Room: string(room), Event: string(rude.EventID)},
	}, reportsOf(t, s, bob.UserID))
	require.Equal(t, []storedReport{
		{Reporter: string(carol.UserID), Room: string(room), Reason: "a den of rudeness"},
		{Reporter: string(carol.UserID), User: string(alice.UserID), Reason: "rude"},
		{Reporter: string(carol.UserID), User: "@mallory:elsewhere.test", Reason: "spam"},
	}, reportsOf(t, s, carol.UserID))
}
