package adminapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

func roomPath(room id.RoomID, rest string) string {
	return "/_synapse/admin/v1/rooms/" + esc(string(room)) + rest
}

func roomIDs(list any) []string {
	var out []string
	for _, r := range list.([]any) {
		out = append(out, r.(map[string]any)["room_id"].(string))
	}
	return out
}

func TestRoomListAndDetails(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	mk := func(cli *mautrix.Client, name string, public bool) id.RoomID {
		req := &mautrix.ReqCreateRoom{Name: name, Preset: "private_chat"}
		if public {
			req.Preset, req.Visibility, req.RoomAliasName = "public_chat", "public", name
		}
		r, err := cli.CreateRoom(ctx, req)
		require.NoError(t, err)
		return r.RoomID
	}
	apple := mk(b.admin, "apple", true)
	banana := mk(b.user, "banana", false)
	cherry := mk(b.admin, "cherry", false)
	_, err := b.user.JoinRoomByID(ctx, apple)
	require.NoError(t, err)

	list := b.ok(t, http.MethodGet, "/_synapse/admin/v1/rooms", nil)
	require.EqualValues(t, 3, list["total_rooms"])
	require.EqualValues(t, 0, list["offset"])
	require.Equal(t, []string{string(apple), string(banana), string(cherry)}, roomIDs(list["rooms"]), "by name")
	first := list["rooms"].([]any)[0].(map[string]any)
	require.Equal(t, "apple", first["name"])
	require.Equal(t, "#apple:hearth.test", first["canonical_alias"])
	require.EqualValues(t, 2, first["joined_members"])
	require.EqualValues(t, 2, first["joined_local_members"])
	require.Equal(t, string(b.admin.UserID), first["creator"])
	require.Equal(t, true, first["public"])
	require.Equal(t, true, first["federatable"])
	require.Equal(t, "public", first["join_rules"])
	require.Greater(t, first["state_events"], float64(4))

	list = b.ok(t, http.MethodGet, "/_synapse/admin/v1/rooms?order_by=name&dir=b&limit=2", nil)
	require.Equal(t, []string{string(cherry), string(banana)}, roomIDs(list["rooms"]))
	require.EqualValues(t, 2, list["next_batch"])
	list = b.ok(t, http.MethodGet, "/_synapse/admin/v1/rooms?order_by=name&dir=b&limit=2&from=2", nil)
	require.Equal(t, []string{string(apple)}, roomIDs(list["rooms"]))
	require.EqualValues(t, 0, list["prev_batch"])
	require.NotContains(t, list, "next_batch")
	list = b.ok(t, http.MethodGet, "/_synapse/admin/v1/rooms?order_by=joined_members&dir=b&limit=1", nil)
	require.Equal(t, []string{string(apple)}, roomIDs(list["rooms"]))
	list = b.ok(t, http.MethodGet, "/_synapse/admin/v1/rooms?search_term=ANAN", nil)
	require.Equal(t, []string{string(banana)}, roomIDs(list["rooms"]))
	list = b.ok(t, http.MethodGet, "/_synapse/admin/v1/rooms?public_rooms=true", nil)
	require.Equal(t, []string{string(apple)}, roomIDs(list["rooms"]))
	list = b.ok(t, http.MethodGet, "/_synapse/admin/v1/rooms?order_by=creator&limit=1", nil)
	require.Len(t, list["rooms"], 1)

	// Renaming shows at once: the summaries are brought up to date.
	_, err = b.admin.SendStateEvent(ctx, cherry, event.StateRoomName, "", map[string]any{"name": "aardvark"})
	require.NoError(t, err)
	list = b.ok(t, http.MethodGet, "/_synapse/admin/v1/rooms?limit=1", nil)
	require.Equal(t, []string{string(cherry)}, roomIDs(list["rooms"]))

	d := b.ok(t, http.MethodGet, roomPath(apple, ""), nil)
	require.Equal(t, "apple", d["name"])
	require.EqualValues(t, 2, d["joined_local_devices"])
	require.Equal(t, false, d["blocked"])
	require.Equal(t, "11", d["version"])
	r := b.do(t, b.admin, http.MethodGet, roomPath("!nope:hearth.test", ""), nil)
	require.Equal(t, http.StatusNotFound, r.Status)

	members := b.ok(t, http.MethodGet, roomPath(apple, "/members"), nil)
	require.ElementsMatch(t, []any{string(b.admin.UserID), string(b.user.UserID)}, members["members"])
	require.EqualValues(t, 2, members["total"])
	st := b.ok(t, http.MethodGet, roomPath(apple, "/state"), nil)
	types := map[string]bool{}
	for _, ev := range st["state"].([]any) {
		e := ev.(map[string]any)
		types[e["type"].(string)] = true
		require.Equal(t, string(apple), e["room_id"])
	}
	require.True(t, types["m.room.create"] && types["m.room.member"] && types["m.room.power_levels"], "%v", types)
}

func TestBlockRoom(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	room, err := b.admin.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)

	require.Equal(t, map[string]any{"block": false}, b.ok(t, http.MethodGet, roomPath(room.RoomID, "/block"), nil))
	require.Equal(t, true, b.ok(t, http.MethodPut, roomPath(room.RoomID, "/block"), map[string]any{"block": true})["block"])
	got := b.ok(t, http.MethodGet, roomPath(room.RoomID, "/block"), nil)
	require.Equal(t, map[string]any{"block": true, "user_id": string(b.admin.UserID)}, got)

	_, err = b.user.JoinRoomByID(ctx, room.RoomID)
	require.ErrorIs(t, err, mautrix.MForbidden)
	_, err = b.admin.InviteUser(ctx, room.RoomID, &mautrix.ReqInviteUser{UserID: b.user.UserID})
	require.ErrorIs(t, err, mautrix.MForbidden, "no invites into a blocked room")

	// A room this server has never seen can be blocked too.
	b.ok(t, http.MethodPut, roomPath("!elsewhere:other.test", "/block"), map[string]any{"block": true})

	b.ok(t, http.MethodPut, roomPath(room.RoomID, "/block"), map[string]any{"block": false})
	_, err = b.user.JoinRoomByID(ctx, room.RoomID)
	require.NoError(t, err)
}

// waitDeletion polls a deletion's status until it ends.
func waitDeletion(t *testing.T, b *bundle, deleteID string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := b.ok(t, http.MethodGet, "/_synapse/admin/v2/rooms/delete_status/"+deleteID, nil)
		if s := st["status"]; s == "complete" || s == "failed" {
			return st
		}
		require.True(t, time.Now().Before(deadline), "deletion %s still %v", deleteID, st["status"])
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDeleteRoomWithPurge(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	bob := b.s.Register(t, "bob", "builder123")
	room, err := b.user.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat", RoomAliasName: "doomed", Visibility: "public"})
	require.NoError(t, err)
	_, err = bob.JoinRoomByID(ctx, room.RoomID)
	require.NoError(t, err)
	for range 5 {
		_, err = b.user.SendText(ctx, room.RoomID, "hello")
		require.NoError(t, err)
	}
	_, err = bob.SendText(ctx, room.RoomID, "hi")
	require.NoError(t, err)
	carol := b.s.Register(t, "carol", "christmas1")
	_, err = b.user.InviteUser(ctx, room.RoomID, &mautrix.ReqInviteUser{UserID: carol.UserID})
	require.NoError(t, err)

	r := b.ok(t, http.MethodDelete, "/_synapse/admin/v2/rooms/"+esc(string(room.RoomID)), map[string]any{
		"block": true, "purge": true, "new_room_user_id": string(b.admin.UserID), "message": "moved",
	})
	deleteID := r["delete_id"].(string)
	require.NotEmpty(t, deleteID)
	st := waitDeletion(t, b, deleteID)
	require.Equal(t, "complete", st["status"], "%v", st)
	res := st["shutdown_room"].(map[string]any)
	require.ElementsMatch(t, []any{string(b.user.UserID), string(bob.UserID), string(carol.UserID)}, res["kicked_users"])
	require.Equal(t, []any{}, res["failed_to_kick_users"])
	require.Equal(t, []any{"#doomed:hearth.test"}, res["local_aliases"])
	newRoom := id.RoomID(res["new_room_id"].(string))

	// Purged: the room is unknown everywhere, its rows are gone.
	r2 := b.do(t, b.admin, http.MethodGet, roomPath(room.RoomID, ""), nil)
	require.Equal(t, http.StatusNotFound, r2.Status)
	var events, rows int
	require.NoError(t, b.s.App.Pool.QueryRow(ctx, `SELECT count(*) FROM events e JOIN rooms r USING (room_nid) WHERE r.room_id = $1`,
		string(room.RoomID)).Scan(&events))
	require.NoError(t, b.s.App.Pool.QueryRow(ctx, `SELECT count(*) FROM rooms WHERE room_id = $1`, string(room.RoomID)).Scan(&rows))
	require.Zero(t, events+rows)
	_, err = b.s.Client(t, "", "").ResolveAlias(ctx, "#doomed:hearth.test")
	require.ErrorIs(t, err, mautrix.MNotFound)
	list := b.ok(t, http.MethodGet, "/_synapse/admin/v1/rooms", nil)
	require.NotContains(t, roomIDs(list["rooms"]), string(room.RoomID))

	// Blocked: joining is refused with 403, not 404.
	_, err = bob.JoinRoomByID(ctx, room.RoomID)
	require.ErrorIs(t, err, mautrix.MForbidden)

	// The members who were joined are in the new room, with the message.
	joined, err := bob.JoinedRooms(ctx)
	require.NoError(t, err)
	require.Equal(t, []id.RoomID{newRoom}, joined.JoinedRooms)
	msgs, err := bob.Messages(ctx, newRoom, "", "", mautrix.DirectionBackward, nil, 10)
	require.NoError(t, err)
	var bodies []string
	for _, ev := range msgs.Chunk {
		if ev.Type == event.EventMessage {
			bodies = append(bodies, ev.Content.Raw["body"].(string))
		}
	}
	require.Equal(t, []string{"moved"}, bodies)

	// Statuses by room, and another deletion of an unknown room is 404.
	all := b.ok(t, http.MethodGet, "/_synapse/admin/v2/rooms/"+esc(string(room.RoomID))+"/delete_status", nil)
	require.Len(t, all["results"], 1)
	r3 := b.do(t, b.admin, http.MethodDelete, "/_synapse/admin/v2/rooms/"+esc("!nothing:hearth.test"), map[string]any{})
	require.Equal(t, http.StatusNotFound, r3.Status)
	r3 = b.do(t, b.admin, http.MethodGet, "/_synapse/admin/v2/rooms/delete_status/nope", nil)
	require.Equal(t, http.StatusNotFound, r3.Status)
}

func TestDeleteRoomV1WithoutPurge(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	room, err := b.user.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)

	res := b.ok(t, http.MethodDelete, roomPath(room.RoomID, ""), map[string]any{"purge": false})
	require.Equal(t, []any{string(b.user.UserID)}, res["kicked_users"])
	require.Nil(t, res["new_room_id"])
	d := b.ok(t, http.MethodGet, roomPath(room.RoomID, ""), nil)
	require.EqualValues(t, 0, d["joined_members"], "kept, but empty")
	require.Equal(t, false, d["blocked"])
	joined, err := b.user.JoinedRooms(ctx)
	require.NoError(t, err)
	require.Empty(t, joined.JoinedRooms)
}
