package adminapi_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func TestRegistrationTokens(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const base = "/_synapse/admin/v1/registration_tokens"

	tok := b.ok(t, http.MethodPost, base+"/new", map[string]any{"token": "abc-123", "uses_allowed": 2, "expiry_time": 4102444800000})
	require.Equal(t, map[string]any{"token": "abc-123", "uses_allowed": float64(2), "pending": float64(0), "completed": float64(0),
		"expiry_time": float64(4102444800000)}, tok)
	gen := b.ok(t, http.MethodPost, base+"/new", map[string]any{"length": 24})
	require.Len(t, gen["token"], 24)
	require.Nil(t, gen["uses_allowed"])
	r := b.do(t, b.admin, http.MethodPost, base+"/new", map[string]any{"token": "abc-123"})
	require.Equal(t, http.StatusBadRequest, r.Status)
	require.Equal(t, "M_INVALID_PARAM", r.Errcode())
	r = b.do(t, b.admin, http.MethodPost, base+"/new", map[string]any{"token": "no spaces"})
	require.Equal(t, http.StatusBadRequest, r.Status)
	expired := b.ok(t, http.MethodPost, base+"/new", map[string]any{"token": "old", "expiry_time": 1000})
	require.Equal(t, "old", expired["token"])

	all := b.ok(t, http.MethodGet, base, nil)
	require.Len(t, all["registration_tokens"], 3)
	valid := b.ok(t, http.MethodGet, base+"?valid=true", nil)
	require.Len(t, valid["registration_tokens"], 2)
	invalid := b.ok(t, http.MethodGet, base+"?valid=false", nil)
	require.Equal(t, "old", invalid["registration_tokens"].([]any)[0].(map[string]any)["token"])

	// null means unlimited; absent leaves a field as it is.
	up := b.ok(t, http.MethodPut, base+"/abc-123", map[string]any{"uses_allowed": nil})
	require.Nil(t, up["uses_allowed"])
	require.Equal(t, float64(4102444800000), up["expiry_time"])
	up = b.ok(t, http.MethodPut, base+"/abc-123", map[string]any{"expiry_time": nil, "uses_allowed": 5})
	require.Nil(t, up["expiry_time"])
	require.Equal(t, float64(5), up["uses_allowed"])
	require.Equal(t, up, b.ok(t, http.MethodGet, base+"/abc-123", nil))

	b.ok(t, http.MethodDelete, base+"/abc-123", nil)
	r = b.do(t, b.admin, http.MethodGet, base+"/abc-123", nil)
	require.Equal(t, http.StatusNotFound, r.Status)
	r = b.do(t, b.admin, http.MethodDelete, base+"/abc-123", nil)
	require.Equal(t, http.StatusNotFound, r.Status)
}

func TestEventReports(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	room, err := b.admin.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat", Name: "reported"})
	require.NoError(t, err)
	_, err = b.user.JoinRoomByID(ctx, room.RoomID)
	require.NoError(t, err)
	first, err := b.admin.SendText(ctx, room.RoomID, "rude")
	require.NoError(t, err)
	second, err := b.admin.SendText(ctx, room.RoomID, "ruder")
	require.NoError(t, err)
	require.NoError(t, b.user.ReportEvent(ctx, room.RoomID, first.EventID, "spam"))
	require.NoError(t, b.user.ReportEvent(ctx, room.RoomID, second.EventID, "worse"))

	list := b.ok(t, http.MethodGet, "/_synapse/admin/v1/event_reports", nil)
	require.EqualValues(t, 2, list["total"])
	reps := list["event_reports"].([]any)
	newest := reps[0].(map[string]any)
	require.Equal(t, string(second.EventID), newest["event_id"], "newest first by default")
	require.Equal(t, string(b.user.UserID), newest["user_id"])
	require.Equal(t, string(b.admin.UserID), newest["sender"])
	require.Equal(t, "reported", newest["name"])
	require.Equal(t, "worse", newest["reason"])
	list = b.ok(t, http.MethodGet, "/_synapse/admin/v1/event_reports?dir=f&limit=1", nil)
	require.Equal(t, string(first.EventID), list["event_reports"].([]any)[0].(map[string]any)["event_id"])
	require.EqualValues(t, 1, list["next_token"])
	list = b.ok(t, http.MethodGet, "/_synapse/admin/v1/event_reports?event_sender_user_id="+esc(string(b.user.UserID)), nil)
	require.EqualValues(t, 0, list["total"])

	id1 := int64(newest["id"].(float64))
	d := b.ok(t, http.MethodGet, "/_synapse/admin/v1/event_reports/"+itoa(id1), nil)
	require.Equal(t, "ruder", d["event_json"].(map[string]any)["content"].(map[string]any)["body"])
	b.ok(t, http.MethodDelete, "/_synapse/admin/v1/event_reports/"+itoa(id1), nil)
	r := b.do(t, b.admin, http.MethodGet, "/_synapse/admin/v1/event_reports/"+itoa(id1), nil)
	require.Equal(t, http.StatusNotFound, r.Status)
}

func TestMediaAdmin(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	up, err := b.user.UploadBytesWithName(ctx, []byte("some bytes"), "text/plain", "a.txt")
	require.NoError(t, err)
	_, err = b.user.UploadBytesWithName(ctx, []byte("more bytes!"), "text/plain", "b.txt")
	require.NoError(t, err)
	download := func() int {
		return b.s.Do(t, servertest.Request{Method: http.MethodGet, Token: b.user.AccessToken,
			Path: "/_matrix/client/v1/media/download/hearth.test/" + up.ContentURI.FileID}).Status
	}
	require.Equal(t, http.StatusOK, download())

	list := b.ok(t, http.MethodGet, "/_synapse/admin/v1/users/"+esc(string(b.user.UserID))+"/media?order_by=media_length&dir=b", nil)
	require.EqualValues(t, 2, list["total"])
	m := list["media"].([]any)[1].(map[string]any)
	require.Equal(t, up.ContentURI.FileID, m["media_id"])
	require.Equal(t, "a.txt", m["upload_name"])
	require.EqualValues(t, 10, m["media_length"])
	require.Equal(t, "text/plain", m["media_type"])
	require.Nil(t, m["quarantined_by"])

	stats := b.ok(t, http.MethodGet, "/_synapse/admin/v1/statistics/users/media", nil)
	require.Equal(t, []any{map[string]any{"user_id": string(b.user.UserID), "displayname": nil, "media_count": float64(2),
		"media_length": float64(21)}}, stats["users"])

	mediaPath := "hearth.test/" + up.ContentURI.FileID
	b.ok(t, http.MethodPost, "/_synapse/admin/v1/media/quarantine/"+mediaPath, nil)
	require.Equal(t, http.StatusNotFound, download(), "quarantined media is not served")
	list = b.ok(t, http.MethodGet, "/_synapse/admin/v1/users/"+esc(string(b.user.UserID))+"/media?order_by=media_length", nil)
	require.Equal(t, string(b.admin.UserID), list["media"].([]any)[0].(map[string]any)["quarantined_by"])
	b.ok(t, http.MethodPost, "/_synapse/admin/v1/media/unquarantine/"+mediaPath, nil)
	require.Equal(t, http.StatusOK, download())

	del := b.ok(t, http.MethodDelete, "/_synapse/admin/v1/media/"+mediaPath, nil)
	require.Equal(t, map[string]any{"deleted_media": []any{up.ContentURI.FileID}, "total": float64(1)}, del)
	require.Equal(t, http.StatusNotFound, download())
	r := b.do(t, b.admin, http.MethodDelete, "/_synapse/admin/v1/media/"+mediaPath, nil)
	require.Equal(t, http.StatusNotFound, r.Status)
	r = b.do(t, b.admin, http.MethodDelete, "/_synapse/admin/v1/media/other.test/abc", nil)
	require.Equal(t, http.StatusBadRequest, r.Status, "only local media")
}

func TestServerNotices(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	send := func(body string) id.EventID {
		r := b.ok(t, http.MethodPost, "/_synapse/admin/v1/send_server_notice", map[string]any{
			"user_id": string(b.user.UserID), "content": map[string]any{"msgtype": "m.text", "body": body}})
		return id.EventID(r["event_id"].(string))
	}
	first := send("maintenance tonight")
	require.NotEmpty(t, first)
	second := send("done")

	// Alice is invited to one room by the notices user, and reads both.
	sync, err := b.user.SyncRequest(ctx, 0, "", "", false, event.PresenceOnline)
	require.NoError(t, err)
	require.Len(t, sync.Rooms.Invite, 1)
	var room id.RoomID
	for r := range sync.Rooms.Invite {
		room = r
	}
	_, err = b.user.JoinRoomByID(ctx, room)
	require.NoError(t, err)
	tags, err := b.user.GetTags(ctx, room)
	require.NoError(t, err)
	require.Contains(t, tags.Tags, event.RoomTag("m.server_notice"), "clients show the room apart")
	msgs, err := b.user.Messages(ctx, room, "", "", mautrix.DirectionBackward, nil, 20)
	require.NoError(t, err)
	var got []id.EventID
	for _, ev := range msgs.Chunk {
		if ev.Type == event.EventMessage {
			require.Equal(t, id.UserID("@notices:hearth.test"), ev.Sender)
			got = append(got, ev.ID)
		}
	}
	require.Equal(t, []id.EventID{second, first}, got)

	// Once alice leaves, the next notice comes in a new room.
	_, err = b.user.LeaveRoom(ctx, room)
	require.NoError(t, err)
	send("again")
	sync, err = b.user.SyncRequest(ctx, 0, "", "", false, event.PresenceOnline)
	require.NoError(t, err)
	require.Len(t, sync.Rooms.Invite, 1)
	require.NotContains(t, sync.Rooms.Invite, room)

	r := b.do(t, b.admin, http.MethodPost, "/_synapse/admin/v1/send_server_notice", map[string]any{
		"user_id": "@alice:other.test", "content": map[string]any{"msgtype": "m.text", "body": "x"}})
	require.Equal(t, http.StatusBadRequest, r.Status)
}

func TestAuditLogAndOverview(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	_, err := b.user.UploadBytes(ctx, bytes.Repeat([]byte("x"), 100), "application/octet-stream")
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, b.do(t, b.admin, http.MethodPut, userPath("@carol:hearth.test"), map[string]any{"password": "christmas1"}).Status)
	b.ok(t, http.MethodPost, "/_synapse/admin/v1/reset_password/"+esc("@carol:hearth.test"), map[string]any{"new_password": "easter-123"})
	b.ok(t, http.MethodPost, "/_synapse/admin/v1/registration_tokens/new", map[string]any{"token": "tok"})

	log := b.ok(t, http.MethodGet, "/_hearth/admin/v1/audit_log", nil)
	require.EqualValues(t, 3, log["total"])
	entries := log["entries"].([]any)
	newest := entries[0].(map[string]any)
	require.Equal(t, "registration_token.create", newest["action"])
	require.Equal(t, "tok", newest["target"])
	require.Equal(t, string(b.admin.UserID), newest["actor"])
	require.InDelta(t, float64(b.s.Clock.Now().UnixMilli()), newest["ts"], float64(time.Minute.Milliseconds()))
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.(map[string]any)["action"].(string))
	}
	require.Equal(t, []string{"registration_token.create", "user.reset_password", "user.create"}, actions)
	filtered := b.ok(t, http.MethodGet, "/_hearth/admin/v1/audit_log?target="+esc("@carol:hearth.test")+"&limit=1", nil)
	require.EqualValues(t, 2, filtered["total"])
	require.EqualValues(t, 1, filtered["next_token"])

	o := b.ok(t, http.MethodGet, "/_hearth/admin/v1/overview?days=7", nil)
	require.Equal(t, "hearth.test", o["server_name"])
	require.True(t, strings.HasPrefix(o["server_version"].(string), "hearth/"))
	require.EqualValues(t, 3, o["users"].(map[string]any)["total"])
	require.EqualValues(t, 1, o["users"].(map[string]any)["admins"])
	require.EqualValues(t, 1, o["media"].(map[string]any)["count"])
	require.EqualValues(t, 100, o["media"].(map[string]any)["bytes"])
	require.Greater(t, o["database_bytes"], float64(1<<20))
	daily := o["daily"].([]any)
	require.Len(t, daily, 7)
	today := daily[6].(map[string]any)
	require.Equal(t, time.Now().UTC().Format("2006-01-02"), today["day"])
	require.EqualValues(t, 3, today["registrations"])
	require.EqualValues(t, 100, today["media_bytes"])
}
