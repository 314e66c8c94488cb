package adminapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"
)

// mUserLocked is the error of a locked account (mautrix-go has no name
// for it).
var mUserLocked = mautrix.RespError{ErrCode: "M_USER_LOCKED"}

func names(list any) []string {
	var out []string
	for _, u := range list.([]any) {
		out = append(out, u.(map[string]any)["name"].(string))
	}
	return out
}

func TestUserList(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	for i := range 5 {
		_, err := b.s.App.Accounts.CreateUser(ctx, fmt.Sprintf("user%d", i), "password1", false)
		require.NoError(t, err)
	}
	b.ok(t, http.MethodPost, "/_synapse/admin/v1/deactivate/"+esc("@user4:hearth.test"), map[string]any{})

	// v2: deactivated users are left out by default; paging by offset.
	page := b.ok(t, http.MethodGet, "/_synapse/admin/v2/users?limit=3", nil)
	require.EqualValues(t, 6, page["total"], "root, alice, user0-3")
	require.Equal(t, []string{"@alice:hearth.test", "@root:hearth.test", "@user0:hearth.test"}, names(page["users"]))
	require.Equal(t, "3", page["next_token"])
	page = b.ok(t, http.MethodGet, "/_synapse/admin/v2/users?limit=3&from=3", nil)
	require.Equal(t, []string{"@user1:hearth.test", "@user2:hearth.test", "@user3:hearth.test"}, names(page["users"]))
	require.NotContains(t, page, "next_token")

	// v2's deactivated=true adds them; v3's keeps only them.
	page = b.ok(t, http.MethodGet, "/_synapse/admin/v2/users?deactivated=true", nil)
	require.EqualValues(t, 7, page["total"])
	page = b.ok(t, http.MethodGet, "/_synapse/admin/v3/users?deactivated=true", nil)
	require.Equal(t, []string{"@user4:hearth.test"}, names(page["users"]))
	require.Equal(t, true, page["users"].([]any)[0].(map[string]any)["deactivated"])
	page = b.ok(t, http.MethodGet, "/_synapse/admin/v3/users", nil)
	require.EqualValues(t, 7, page["total"])

	// Filters and orders.
	page = b.ok(t, http.MethodGet, "/_synapse/admin/v2/users?admins=true", nil)
	require.Equal(t, []string{"@root:hearth.test"}, names(page["users"]))
	page = b.ok(t, http.MethodGet, "/_synapse/admin/v2/users?user_id=ser1", nil)
	require.Equal(t, []string{"@user1:hearth.test"}, names(page["users"]))
	page = b.ok(t, http.MethodGet, "/_synapse/admin/v2/users?name=%25", nil)
	require.Empty(t, page["users"], "LIKE wildcards are taken literally")
	page = b.ok(t, http.MethodGet, "/_synapse/admin/v2/users?order_by=name&dir=b&limit=2", nil)
	require.Equal(t, []string{"@user3:hearth.test", "@user2:hearth.test"}, names(page["users"]))
	page = b.ok(t, http.MethodGet, "/_synapse/admin/v2/users?order_by=admin&dir=b&limit=1", nil)
	require.Equal(t, []string{"@root:hearth.test"}, names(page["users"]))
	page = b.ok(t, http.MethodGet, "/_synapse/admin/v2/users?order_by=creation_ts&limit=1", nil)
	require.Equal(t, []string{"@root:hearth.test"}, names(page["users"]), "the admin was created first")

	r := b.do(t, b.admin, http.MethodGet, "/_synapse/admin/v2/users?order_by=password", nil)
	require.Equal(t, http.StatusBadRequest, r.Status)
	require.Equal(t, "M_INVALID_PARAM", r.Errcode())
}

func TestUserQueryCreateModify(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	bob := id.UserID("@bob:hearth.test")

	r := b.do(t, b.admin, http.MethodGet, userPath(bob), nil)
	require.Equal(t, http.StatusNotFound, r.Status)
	require.Equal(t, "M_NOT_FOUND", r.Errcode())
	r = b.do(t, b.admin, http.MethodGet, userPath("@bob:elsewhere.test"), nil)
	require.Equal(t, http.StatusBadRequest, r.Status)

	// Create: 201, and bob can log in.
	r = b.do(t, b.admin, http.MethodPut, userPath(bob), map[string]any{"password": "builder123", "admin": false, "user_type": "bot"})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	require.Equal(t, string(bob), r.Body["name"])
	require.Equal(t, "bot", r.Body["user_type"])
	require.Equal(t, false, r.Body["deactivated"])
	require.Equal(t, []any{}, r.Body["threepids"])
	bobCli := b.s.Client(t, "", "")
	login := func(password string) error {
		_, err := bobCli.Login(ctx, &mautrix.ReqLogin{Type: mautrix.AuthTypePassword,
			Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: "bob"}, Password: password, StoreCredentials: true})
		return err
	}
	require.NoError(t, login("builder123"))

	// Modify: 200; a new password logs bob's sessions out by default.
	r = b.do(t, b.admin, http.MethodPut, userPath(bob), map[string]any{"password": "newpassword", "admin": true})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, true, r.Body["admin"])
	_, err := bobCli.Whoami(ctx)
	require.ErrorIs(t, err, mautrix.MUnknownToken)
	require.Error(t, login("builder123"))
	require.NoError(t, login("newpassword"))

	// Reset password, keeping devices.
	b.ok(t, http.MethodPost, "/_synapse/admin/v1/reset_password/"+esc(string(bob)), map[string]any{"new_password": "third-one", "logout_devices": false})
	_, err = bobCli.Whoami(ctx)
	require.NoError(t, err)
	require.NoError(t, login("third-one"))
	r = b.do(t, b.admin, http.MethodPost, "/_synapse/admin/v1/reset_password/"+esc(string(bob)), map[string]any{"new_password": "x"})
	require.Equal(t, "M_WEAK_PASSWORD", r.Errcode())

	// Admin flag, as Draupnir reads it; admins cannot demote themselves.
	require.Equal(t, true, b.ok(t, http.MethodGet, "/_synapse/admin/v1/users/"+esc(string(bob))+"/admin", nil)["admin"])
	b.ok(t, http.MethodPut, "/_synapse/admin/v1/users/"+esc(string(bob))+"/admin", map[string]any{"admin": false})
	require.Equal(t, false, b.ok(t, http.MethodGet, userPath(bob), nil)["admin"])
	r = b.do(t, b.admin, http.MethodPut, "/_synapse/admin/v1/users/"+esc(string(b.admin.UserID))+"/admin", map[string]any{"admin": false})
	require.Equal(t, http.StatusForbidden, r.Status)

	// Lock through PUT, then unlock.
	require.Equal(t, true, b.ok(t, http.MethodPut, userPath(bob), map[string]any{"locked": true})["locked"])
	_, err = bobCli.Whoami(ctx)
	require.ErrorIs(t, err, mUserLocked)
	b.ok(t, http.MethodPut, userPath(bob), map[string]any{"locked": false})
	_, err = bobCli.Whoami(ctx)
	require.NoError(t, err)

	// Deactivate through PUT; reactivating needs a password.
	require.Equal(t, true, b.ok(t, http.MethodPut, userPath(bob), map[string]any{"deactivated": true})["deactivated"])
	require.Error(t, login("third-one"))
	r = b.do(t, b.admin, http.MethodPut, userPath(bob), map[string]any{"deactivated": false})
	require.Equal(t, "M_MISSING_PARAM", r.Errcode())
	b.ok(t, http.MethodPut, userPath(bob), map[string]any{"deactivated": false, "password": "back-again"})
	require.NoError(t, login("back-again"))

	// Username availability.
	require.Equal(t, true, b.ok(t, http.MethodGet, "/_synapse/admin/v1/username_available?username=carol", nil)["available"])
	r = b.do(t, b.admin, http.MethodGet, "/_synapse/admin/v1/username_available?username=bob", nil)
	require.Equal(t, "M_USER_IN_USE", r.Errcode())
}

func TestDeactivate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	room, err := b.admin.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	_, err = b.user.JoinRoomByID(ctx, room.RoomID)
	require.NoError(t, err)

	r := b.ok(t, http.MethodPost, "/_synapse/admin/v1/deactivate/"+esc(string(b.user.UserID)), map[string]any{"erase": true})
	require.Equal(t, "success", r["id_server_unbind_result"])
	_, err = b.user.Whoami(ctx)
	require.ErrorIs(t, err, mautrix.MUnknownToken)
	u := b.ok(t, http.MethodGet, userPath(b.user.UserID), nil)
	require.Equal(t, true, u["deactivated"])
	require.Equal(t, true, u["erased"])
	members := b.ok(t, http.MethodGet, "/_synapse/admin/v1/rooms/"+esc(string(room.RoomID))+"/members", nil)
	require.Equal(t, []any{string(b.admin.UserID)}, members["members"], "a deactivated user leaves their rooms")

	r2 := b.do(t, b.admin, http.MethodPost, "/_synapse/admin/v1/deactivate/"+esc("@nobody:hearth.test"), map[string]any{})
	require.Equal(t, http.StatusNotFound, r2.Status)
}

func TestWhoisDevicesJoinedRooms(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	alice := b.user.UserID
	_, err := b.user.Whoami(ctx) // seen: the device gets a last-seen time, IP and agent
	require.NoError(t, err)

	who := b.ok(t, http.MethodGet, "/_synapse/admin/v1/whois/"+esc(string(alice)), nil)
	require.Equal(t, string(alice), who["user_id"])
	dev := who["devices"].(map[string]any)[string(b.user.DeviceID)].(map[string]any)
	conn := dev["sessions"].([]any)[0].(map[string]any)["connections"].([]any)[0].(map[string]any)
	require.Equal(t, "127.0.0.1", conn["ip"])
	require.NotEmpty(t, conn["user_agent"])
	require.NotZero(t, conn["last_seen"])

	devs := b.ok(t, http.MethodGet, userPath(alice)+"/devices", nil)
	require.EqualValues(t, 1, devs["total"])
	d := devs["devices"].([]any)[0].(map[string]any)
	require.Equal(t, string(b.user.DeviceID), d["device_id"])
	require.Equal(t, string(alice), d["user_id"])
	devPath := userPath(alice) + "/devices/" + esc(string(b.user.DeviceID))
	b.ok(t, http.MethodPut, devPath, map[string]any{"display_name": "renamed"})
	require.Equal(t, "renamed", b.ok(t, http.MethodGet, devPath, nil)["display_name"])
	r := b.do(t, b.admin, http.MethodGet, userPath(alice)+"/devices/NOPE", nil)
	require.Equal(t, http.StatusNotFound, r.Status)

	room, err := b.user.CreateRoom(ctx, &mautrix.ReqCreateRoom{})
	require.NoError(t, err)
	joined := b.ok(t, http.MethodGet, "/_synapse/admin/v1/users/"+esc(string(alice))+"/joined_rooms", nil)
	require.Equal(t, []any{string(room.RoomID)}, joined["joined_rooms"])
	require.EqualValues(t, 1, joined["total"])

	b.ok(t, http.MethodDelete, devPath, nil)
	_, err = b.user.Whoami(ctx)
	require.ErrorIs(t, err, mautrix.MUnknownToken)
	second := newAdmin(t, b.s, "root2")
	b.ok(t, http.MethodPost, userPath(second.UserID)+"/delete_devices", map[string]any{"devices": []string{string(second.DeviceID), "GONE"}})
	_, err = second.Whoami(ctx)
	require.ErrorIs(t, err, mautrix.MUnknownToken)
}
