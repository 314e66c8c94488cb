package clientapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func accountDataPath(user id.UserID, room id.RoomID, typ string) string {
	p := "/_matrix/client/v3/user/" + url.PathEscape(string(user))
	if room != "" {
		p += "/rooms/" + url.PathEscape(string(room))
	}
	return p + "/account_data/" + url.PathEscape(typ)
}

func tagPath(user id.UserID, room id.RoomID, tag string) string {
	p := "/_matrix/client/v3/user/" + url.PathEscape(string(user)) + "/rooms/" + url.PathEscape(string(room)) + "/tags"
	if tag != "" {
		p += "/" + url.PathEscape(tag)
	}
	return p
}

// TestAccountDataWakesSyncOncePerChange: global and room account data set
// on one device wake the user's other device's waiting sync, once; their
// content comes back as sent.
func TestAccountDataWakesSyncOncePerChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoInARoom(t, s)
	phone := secondDevice(t, s, "alice", "wonderland1")
	settle(t, alice)
	bobSince := settle(t, bob)
	since := settle(t, phone)

	// Global: the number's digits survive, as sent.
	body := `{"theme": "dark", "n": 1.000000000000000000001}`
	poll := longPoll(phone, since)
	r := s.Do(t, servertest.Request{Method: http.MethodPut, Path: accountDataPath(alice.UserID, "", "org.example.settings"), Token: alice.AccessToken, Body: body})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	resp := woken(t, poll)
	got := ofType(resp.AccountData.Events, "org.example.settings")
	require.Len(t, got, 1)
	require.Equal(t, "dark", got[0]["theme"])
	require.Empty(t, ofType(syncNow(t, phone, resp.NextBatch).AccountData.Events, "org.example.settings"), "once per change")
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: accountDataPath(alice.UserID, "", "org.example.settings"), Token: phone.AccessToken})
	require.Equal(t, http.StatusOK, r.Status)
	require.JSONEq(t, body, string(r.Raw))
	require.Contains(t, string(r.Raw), "1.000000000000000000001")

	// Per room.
	poll = longPoll(phone, resp.NextBatch)
	require.NoError(t, alice.SetRoomAccountData(ctx, room, "org.example.room", map[string]any{"pinned": true}))
	resp = woken(t, poll)
	require.Equal(t, []map[string]any{{"pinned": true}}, roomAccountData(resp, room, "org.example.room"))
	again := syncNow(t, phone, resp.NextBatch)
	require.Empty(t, again.Rooms.Join, "once per change")
	var content map[string]any
	require.NoError(t, phone.GetRoomAccountData(ctx, room, "org.example.room", &content))
	require.Equal(t, map[string]any{"pinned": true}, content)

	// Replacing it sends the new content; an initial sync has the latest.
	require.NoError(t, alice.SetAccountData(ctx, "org.example.settings", map[string]any{"theme": "light"}))
	require.Equal(t, []map[string]any{{"theme": "light"}}, ofType(syncNow(t, phone, again.NextBatch).AccountData.Events, "org.example.settings"))
	initial := syncNow(t, phone, "")
	require.Equal(t, []map[string]any{{"theme": "light"}}, ofType(initial.AccountData.Events, "org.example.settings"))
	require.Equal(t, []map[string]any{{"pinned": true}}, roomAccountData(initial, room, "org.example.room"))

	// Nobody else sees it.
	bobs := syncNow(t, bob, bobSince)
	require.Empty(t, ofType(bobs.AccountData.Events, "org.example.settings"))
	require.Empty(t, roomAccountData(bobs, room, "org.example.room"))
}

// TestTagsWakeSync: tags are the room's m.tag account data; setting one
// wakes the user's other device, deleting one keeps the others.
func TestTagsWakeSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, _, room := twoInARoom(t, s)
	phone := secondDevice(t, s, "alice", "wonderland1")
	settle(t, alice)
	since := settle(t, phone)

	poll := longPoll(phone, since)
	r := s.Do(t, servertest.Request{Method: http.MethodPut, Path: tagPath(alice.UserID, room, "u.work"), Token: alice.AccessToken,
		Body: `{"order": 0.123456789012345}`})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	resp := woken(t, poll)
	tags := roomAccountData(resp, room, "m.tag")
	require.Len(t, tags, 1)
	require.Equal(t, map[string]any{"u.work": map[string]any{"order": 0.123456789012345}}, tags[0]["tags"])

	require.NoError(t, alice.AddTag(ctx, room, "m.favourite", 0.5))
	got, err := phone.GetTags(ctx, room)
	require.NoError(t, err)
	require.Len(t, got.Tags, 2)
	require.EqualValues(t, "0.5", got.Tags["m.favourite"].Order)
	raw := s.Do(t, servertest.Request{Method: http.MethodGet, Path: tagPath(alice.UserID, room, ""), Token: alice.AccessToken})
	require.Contains(t, string(raw.Raw), "0.123456789012345", "the order keeps its digits")

	mid := syncNow(t, phone, resp.NextBatch)
	require.Len(t, roomAccountData(mid, room, "m.tag")[0]["tags"], 2)
	poll = longPoll(phone, mid.NextBatch)
	require.NoError(t, alice.RemoveTag(ctx, room, "u.work"))
	resp = woken(t, poll)
	require.Equal(t, map[string]any{"m.favourite": map[string]any{"order": 0.5}}, roomAccountData(resp, room, "m.tag")[0]["tags"])
	// Removing a tag that is not there succeeds and tells nobody.
	require.NoError(t, alice.RemoveTag(ctx, room, "u.work"))
	require.Empty(t, syncNow(t, phone, resp.NextBatch).Rooms.Join)

	// No tags at all: an empty object.
	other, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{})
	require.NoError(t, err)
	none, err := alice.GetTags(ctx, other.RoomID)
	require.NoError(t, err)
	require.Empty(t, none.Tags)
}

func TestAccountDataBadInput(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice, bob, room := twoInARoom(t, s)
	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		errcode                   string
	}{
		{"someone else's", http.MethodPut, accountDataPath(bob.UserID, "", "x.y"), alice.AccessToken, map[string]any{}, 403, "M_FORBIDDEN"},
		{"read someone else's", http.MethodGet, accountDataPath(bob.UserID, "", "x.y"), alice.AccessToken, nil, 403, "M_FORBIDDEN"},
		{"someone else's room data", http.MethodPut, accountDataPath(bob.UserID, room, "x.y"), alice.AccessToken, map[string]any{}, 403, "M_FORBIDDEN"},
		{"read someone else's room data", http.MethodGet, accountDataPath(bob.UserID, room, "x.y"), alice.AccessToken, nil, 403, "M_FORBIDDEN"},
		{"remote user", http.MethodPut, accountDataPath("@alice:elsewhere.test", "", "x.y"), alice.AccessToken, map[string]any{}, 403, "M_FORBIDDEN"},
		{"not a user ID", http.MethodPut, accountDataPath("alice", "", "x.y"), alice.AccessToken, map[string]any{}, 400, "M_INVALID_PARAM"},
		{"read marker", http.MethodPut, accountDataPath(alice.UserID, room, "m.fully_read"), alice.AccessToken, map[string]any{"event_id": "$x"}, 405, "M_BAD_JSON"},
		{"global read marker", http.MethodPut, accountDataPath(alice.UserID, "", "m.fully_read"), alice.AccessToken, map[string]any{}, 405, "M_BAD_JSON"},
		{"push rules", http.MethodPut, accountDataPath(alice.UserID, "", "m.push_rules"), alice.AccessToken, map[string]any{}, 405, "M_BAD_JSON"},
		{"room push rules", http.MethodPut, accountDataPath(alice.UserID, room, "m.push_rules"), alice.AccessToken, map[string]any{}, 405, "M_BAD_JSON"},
		{"array", http.MethodPut, accountDataPath(alice.UserID, "", "x.y"), alice.AccessToken, `[1, 2]`, 400, "M_BAD_JSON"},
		{"string", http.MethodPut, accountDataPath(alice.UserID, room, "x.y"), alice.AccessToken, `"hi"`, 400, "M_BAD_JSON"},
		{"not JSON", http.MethodPut, accountDataPath(alice.UserID, "", "x.y"), alice.AccessToken, `{nope`, 400, "M_NOT_JSON"},
		{"not a room ID", http.MethodPut, accountDataPath(alice.UserID, "room", "x.y"), alice.AccessToken, map[string]any{}, 400, "M_INVALID_PARAM"},
		{"read not a room ID", http.MethodGet, accountDataPath(alice.UserID, "room", "x.y"), alice.AccessToken, nil, 400, "M_INVALID_PARAM"},
		{"nothing stored", http.MethodGet, accountDataPath(alice.UserID, "", "x.y"), alice.AccessToken, nil, 404, "M_NOT_FOUND"},
		{"nothing stored for the room", http.MethodGet, accountDataPath(alice.UserID, room, "x.y"), alice.AccessToken, nil, 404, "M_NOT_FOUND"},
		{"tag of someone else", http.MethodPut, tagPath(bob.UserID, room, "u.x"), alice.AccessToken, map[string]any{}, 403, "M_FORBIDDEN"},
		{"tags of someone else", http.MethodGet, tagPath(bob.UserID, room, ""), alice.AccessToken, nil, 403, "M_FORBIDDEN"},
		{"delete tag of someone else", http.MethodDelete, tagPath(bob.UserID, room, "u.x"), alice.AccessToken, nil, 403, "M_FORBIDDEN"},
		{"order not a number", http.MethodPut, tagPath(alice.UserID, room, "u.x"), alice.AccessToken, map[string]any{"order": "first"}, 400, "M_BAD_JSON"},
		{"order above 1", http.MethodPut, tagPath(alice.UserID, room, "u.x"), alice.AccessToken, map[string]any{"order": 2}, 400, "M_INVALID_PARAM"},
		{"order below 0", http.MethodPut, tagPath(alice.UserID, room, "u.x"), alice.AccessToken, map[string]any{"order": -0.5}, 400, "M_INVALID_PARAM"},
		{"tag not an object", http.MethodPut, tagPath(alice.UserID, room, "u.x"), alice.AccessToken, `[]`, 400, "M_BAD_JSON"},
		{"tag in no room", http.MethodPut, tagPath(alice.UserID, "room", "u.x"), alice.AccessToken, map[string]any{}, 400, "M_INVALID_PARAM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, code := errcodeOf(t, s, tc.method, tc.path, tc.token, tc.body)
			require.Equal(t, tc.status, status)
			require.Equal(t, tc.errcode, code)
		})
	}
}
