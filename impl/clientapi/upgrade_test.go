package clientapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func upgrade(t *testing.T, s *servertest.Server, who *mautrix.Client, room id.RoomID, body map[string]any) servertest.Response {
	t.Helper()
	return s.Do(t, servertest.Request{Method: http.MethodPost, Path: roomPath(room, "/upgrade"), Token: who.AccessToken, Body: body})
}

// stateContent reads a state event's content as a map.
func stateContent(t *testing.T, cli *mautrix.Client, room id.RoomID, evType event.Type, key string) map[string]any {
	t.Helper()
	var c map[string]any
	require.NoError(t, cli.StateEvent(context.Background(), room, evType, key, &c))
	return c
}

func roomCount(t *testing.T, s *servertest.Server) int {
	var n int
	require.NoError(t, s.App.Pool.QueryRow(context.Background(), "SELECT count(*) FROM rooms").Scan(&n))
	return n
}

func TestRoomUpgrade(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")
	anon := s.Client(t, "", "")

	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat", Visibility: "public", RoomVersion: id.RoomV11,
		Name: "Tea Party", Topic: "unbirthdays", RoomAliasName: "tea", InitialState: []*event.Event{
			stateEvent(event.StateEncryption, map[string]any{"algorithm": "m.megolm.v1.aes-sha2"}),
			stateEvent(event.StateServerACL, map[string]any{"allow": []string{"*"}, "deny": []string{"evil.test"}, "allow_ip_literals": false}),
		}})
	require.NoError(t, err)
	old := created.RoomID
	_, err = alice.CreateAlias(ctx, "#tea2:hearth.test", old)
	require.NoError(t, err)
	for _, c := range []*mautrix.Client{bob, carol} {
		_, err = c.JoinRoomByID(ctx, old)
		require.NoError(t, err)
	}
	_, err = alice.BanUser(ctx, old, &mautrix.ReqBanUser{UserID: carol.UserID, Reason: "rude"})
	require.NoError(t, err)
	pl := stateContent(t, alice, old, event.StatePowerLevels, "")
	pl["users"] = map[string]any{string(alice.UserID): 100, string(bob.UserID): 50}
	_, err = alice.SendStateEvent(ctx, old, event.StatePowerLevels, "", pl)
	require.NoError(t, err)
	last, err := alice.SendText(ctx, old, "the last word")
	require.NoError(t, err)

	rooms := roomCount(t, s)
	for _, tc := range []struct {
		name    string
		who     *mautrix.Client
		room    id.RoomID
		body    map[string]any
		status  int
		errcode string
	}{
		{"without the power to send tombstones", bob, old, map[string]any{"new_version": "12"}, http.StatusForbidden, "M_FORBIDDEN"},
		{"an outsider", carol, old, map[string]any{"new_version": "12"}, http.StatusForbidden, "M_FORBIDDEN"},
		{"an unknown room", alice, "!void:hearth.test", map[string]any{"new_version": "12"}, http.StatusForbidden, "M_FORBIDDEN"},
		{"an unsupported version", alice, old, map[string]any{"new_version": "9"}, http.StatusBadRequest, "M_UNSUPPORTED_ROOM_VERSION"},
		{"an unknown version", alice, old, map[string]any{"new_version": "hydra"}, http.StatusBadRequest, "M_UNSUPPORTED_ROOM_VERSION"},
		{"an invalid additional creator", alice, old, map[string]any{"new_version": "12", "additional_creators": []string{"bob"}}, http.StatusBadRequest, "M_INVALID_PARAM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := upgrade(t, s, tc.who, tc.room, tc.body)
			require.Equal(t, tc.status, r.Status, "%s", r.Raw)
			require.Equal(t, tc.errcode, r.Errcode())
			require.Equal(t, rooms, roomCount(t, s), "a refused upgrade makes no room")
		})
	}

	r := upgrade(t, s, alice, old, map[string]any{"new_version": "12", "additional_creators": []string{string(bob.UserID)}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	replacement := id.RoomID(r.Body["replacement_room"].(string))
	require.NotEqual(t, old, replacement)

	t.Run("the new room", func(t *testing.T) {
		create := stateContent(t, alice, replacement, event.StateCreate, "")
		require.Equal(t, "12", create["room_version"])
		require.Equal(t, map[string]any{"room_id": string(old), "event_id": string(last.EventID)}, create["predecessor"])
		require.Equal(t, []any{string(bob.UserID)}, create["additional_creators"])
		require.NotContains(t, create, "creator", "room version 12 names no creator in content")

		require.Equal(t, "Tea Party", stateContent(t, alice, replacement, event.StateRoomName, "")["name"])
		require.Equal(t, "unbirthdays", stateContent(t, alice, replacement, event.StateTopic, "")["topic"])
		require.Equal(t, "m.megolm.v1.aes-sha2", stateContent(t, alice, replacement, event.StateEncryption, "")["algorithm"])
		require.Equal(t, "public", stateContent(t, alice, replacement, event.StateJoinRules, "")["join_rule"])
		require.Equal(t, "shared", stateContent(t, alice, replacement, event.StateHistoryVisibility, "")["history_visibility"])
		require.Equal(t, "forbidden", stateContent(t, alice, replacement, event.StateGuestAccess, "")["guest_access"])
		require.Equal(t, []any{"evil.test"}, stateContent(t, alice, replacement, event.StateServerACL, "")["deny"])
		require.Equal(t, "#tea:hearth.test", stateContent(t, alice, replacement, event.StateCanonicalAlias, "")["alias"])

		// Power levels carry over, without the creators, whose power is
		// unlimited in room version 12.
		newPL := stateContent(t, alice, replacement, event.StatePowerLevels, "")
		require.Empty(t, newPL["users"])
		require.Equal(t, pl["events"], newPL["events"])
		require.Equal(t, pl["invite"], newPL["invite"])

		ban := stateContent(t, alice, replacement, event.StateMember, string(carol.UserID))
		require.Equal(t, "ban", ban["membership"])
		require.Equal(t, "rude", ban["reason"])
		members, err := alice.JoinedMembers(ctx, replacement)
		require.NoError(t, err)
		require.Len(t, members.Joined, 1, "memberships do not move; bob is welcome to join")
		_, err = bob.JoinRoomByID(ctx, replacement)
		require.NoError(t, err)
		_, err = carol.JoinRoomByID(ctx, replacement)
		require.ErrorIs(t, err, mautrix.MForbidden, "bans carry over")
	})

	t.Run("aliases and the directory move", func(t *testing.T) {
		for _, a := range []id.RoomAlias{"#tea:hearth.test", "#tea2:hearth.test"} {
			resolved, err := anon.ResolveAlias(ctx, a)
			require.NoError(t, err)
			require.Equal(t, replacement, resolved.RoomID, "%s", a)
		}
		list, err := anon.PublicRooms(ctx, nil)
		require.NoError(t, err)
		require.Len(t, list.Chunk, 1)
		require.Equal(t, replacement, list.Chunk[0].RoomID)
	})

	t.Run("the old room", func(t *testing.T) {
		tomb := stateContent(t, bob, old, event.StateTombstone, "")
		require.Equal(t, string(replacement), tomb["replacement_room"])
		require.NotEmpty(t, tomb["body"])
		require.Empty(t, stateContent(t, bob, old, event.StateCanonicalAlias, ""), "its aliases left")
		oldPL := stateContent(t, bob, old, event.StatePowerLevels, "")
		require.Equal(t, float64(50), oldPL["events_default"])
		require.Equal(t, float64(50), oldPL["invite"])
		_, err := bob.SendText(ctx, old, "anyone here?")
		require.NoError(t, err, "bob has 50")
		_, err = alice.InviteUser(ctx, old, &mautrix.ReqInviteUser{UserID: "@dave:hearth.test"})
		require.NoError(t, err)

		r := upgrade(t, s, alice, old, map[string]any{"new_version": "12"})
		require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Raw)
		require.Equal(t, "M_BAD_STATE", r.Errcode(), "a room is upgraded once")
	})

	t.Run("back to a version without privileged creators", func(t *testing.T) {
		r := upgrade(t, s, bob, replacement, map[string]any{"new_version": "11"})
		require.Equal(t, http.StatusOK, r.Status, "an additional creator may upgrade: %s", r.Raw)
		third := id.RoomID(r.Body["replacement_room"].(string))
		create := stateContent(t, bob, third, event.StateCreate, "")
		require.Equal(t, "11", create["room_version"])
		require.NotContains(t, create, "additional_creators")
		users := stateContent(t, bob, third, event.StatePowerLevels, "")["users"]
		require.Equal(t, map[string]any{string(bob.UserID): float64(100)}, users, "the upgrader keeps their power")
	})
}

func TestRoomUpgradeCopiesSpaceChildren(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", CreationContent: map[string]any{"type": "m.space"}})
	require.NoError(t, err)
	space := created.RoomID
	for _, child := range []string{"!one:hearth.test", "!two:hearth.test", "!gone:hearth.test"} {
		_, err := alice.SendStateEvent(ctx, space, event.StateSpaceChild, child, map[string]any{"via": []string{"hearth.test"}})
		require.NoError(t, err)
	}
	_, err = alice.SendStateEvent(ctx, space, event.StateSpaceChild, "!gone:hearth.test", map[string]any{})
	require.NoError(t, err)

	r := upgrade(t, s, alice, space, map[string]any{"new_version": "10"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	replacement := id.RoomID(r.Body["replacement_room"].(string))
	create := stateContent(t, alice, replacement, event.StateCreate, "")
	require.Equal(t, "m.space", create["type"])
	require.Equal(t, string(alice.UserID), create["creator"], "room version 10 names its creator")
	st, err := alice.State(ctx, replacement)
	require.NoError(t, err)
	var children []string
	for key := range st[event.StateSpaceChild] {
		children = append(children, key)
	}
	require.ElementsMatch(t, []string{"!one:hearth.test", "!two:hearth.test"}, children)
}

// TestFailedRoomUpgradeLeavesNoTrace fails an upgrade at its last write,
// the old room's tombstone, and checks that nothing of it remains.
func TestFailedRoomUpgradeLeavesNoTrace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat", Visibility: "public", RoomAliasName: "tea"})
	require.NoError(t, err)
	old := created.RoomID
	_, err = s.App.Pool.Exec(ctx, `
		CREATE FUNCTION no_tombstones() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'no tombstones today'; END $$;
		CREATE TRIGGER no_tombstones BEFORE INSERT ON events FOR EACH ROW
		WHEN (NEW.type = 'm.room.tombstone') EXECUTE FUNCTION no_tombstones();`)
	require.NoError(t, err)
	rooms, events := roomCount(t, s), eventCount(t, s, old)

	r := upgrade(t, s, alice, old, map[string]any{"new_version": "12"})
	require.Equal(t, http.StatusInternalServerError, r.Status, "%s", r.Raw)

	require.Equal(t, rooms, roomCount(t, s), "no new room")
	require.Equal(t, events, eventCount(t, s, old), "nothing sent to the old room")
	resolved, err := alice.ResolveAlias(ctx, "#tea:hearth.test")
	require.NoError(t, err)
	require.Equal(t, old, resolved.RoomID, "the alias stayed")
	list, err := alice.PublicRooms(ctx, nil)
	require.NoError(t, err)
	require.Len(t, list.Chunk, 1)
	require.Equal(t, old, list.Chunk[0].RoomID)
	var alias map[string]any
	raw, err := json.Marshal(stateContent(t, alice, old, event.StateCanonicalAlias, ""))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &alias))
	require.Equal(t, "#tea:hearth.test", alias["alias"])
}

// TestConcurrentRoomUpgrades upgrades one room from several requests at
// once: the room's lock lets one through, the others find the tombstone.
func TestConcurrentRoomUpgrades(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	require.NoError(t, err)
	rooms := roomCount(t, s)
	const n = 4
	statuses := make(chan int, n)
	for range n {
		go func() {
			statuses <- upgrade(t, s, alice, created.RoomID, map[string]any{"new_version": "12"}).Status
		}()
	}
	var ok, refused int
	for range n {
		switch <-statuses {
		case http.StatusOK:
			ok++
		case http.StatusBadRequest:
			refused++
		}
	}
	require.Equal(t, 1, ok)
	require.Equal(t, n-1, refused)
	require.Equal(t, rooms+1, roomCount(t, s))
}
