package clientapi_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func profilePath(user id.UserID, key string) string {
	p := "/_matrix/client/v3/profile/" + url.PathEscape(string(user))
	if key != "" {
		p += "/" + url.PathEscape(key)
	}
	return p
}

func TestProfileWithMautrix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")

	// A new account's display name is its localpart.
	name, err := bob.GetDisplayName(ctx, alice.UserID)
	require.NoError(t, err)
	require.Equal(t, "alice", name.DisplayName)

	require.NoError(t, alice.SetDisplayName(ctx, "Alice Liddell"))
	avatar := id.ContentURI{Homeserver: "hearth.test", FileID: "rabbitHole"}
	require.NoError(t, alice.SetAvatarURL(ctx, avatar))
	require.NoError(t, alice.SetProfileField(ctx, "m.tz", "Europe/London"))
	require.NoError(t, alice.SetProfileField(ctx, "org.example.job", map[string]any{"title": "explorer", "since": 1865}))

	p, err := bob.GetProfile(ctx, alice.UserID)
	require.NoError(t, err)
	require.Equal(t, "Alice Liddell", p.DisplayName)
	require.Equal(t, avatar, p.AvatarURL)
	require.Equal(t, "Europe/London", p.Extra["m.tz"])
	require.Equal(t, map[string]any{"title": "explorer", "since": float64(1865)}, p.Extra["org.example.job"])

	got, err := bob.GetAvatarURL(ctx, alice.UserID)
	require.NoError(t, err)
	require.Equal(t, avatar, got)
	var job map[string]map[string]any
	require.NoError(t, bob.GetProfileField(ctx, alice.UserID, "org.example.job", &job))
	require.Equal(t, "explorer", job["org.example.job"]["title"])

	// Profiles are public: no token needed to read them.
	anon := s.Do(t, servertest.Request{Method: http.MethodGet, Path: profilePath(alice.UserID, "")})
	require.Equal(t, http.StatusOK, anon.Status, "%s", anon.Raw)
	require.Equal(t, "Alice Liddell", anon.Body["displayname"])
	require.Equal(t, "Europe/London", anon.Body["m.tz"])

	// null is stored, not taken for a deletion; DELETE deletes.
	require.NoError(t, alice.SetProfileField(ctx, "org.example.nothing", nil))
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: profilePath(alice.UserID, "org.example.nothing")})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Contains(t, r.Body, "org.example.nothing")
	require.Nil(t, r.Body["org.example.nothing"])
	require.NoError(t, alice.DeleteProfileField(ctx, "org.example.job"))
	require.NoError(t, alice.DeleteProfileField(ctx, "org.example.job"), "deleting a missing field is no error")
	err = bob.GetProfileField(ctx, alice.UserID, "org.example.job", &job)
	require.ErrorIs(t, err, mautrix.MNotFound)

	// An empty display name, like DELETE, clears it.
	require.NoError(t, alice.SetDisplayName(ctx, ""))
	p, err = bob.GetProfile(ctx, alice.UserID)
	require.NoError(t, err)
	require.Empty(t, p.DisplayName)
	require.NoError(t, alice.DeleteProfileField(ctx, "avatar_url"))
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: profilePath(alice.UserID, "avatar_url")})
	require.Equal(t, http.StatusNotFound, r.Status, "%s", r.Raw)
	require.Equal(t, "M_NOT_FOUND", r.Errcode())

	// The capabilities say every field may be set.
	caps := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/capabilities", Token: alice.AccessToken})
	require.Equal(t, http.StatusOK, caps.Status)
	c := caps.Body["capabilities"].(map[string]any)
	require.Equal(t, map[string]any{"enabled": true}, c["m.profile_fields"])
	require.Equal(t, map[string]any{"enabled": true}, c["m.set_displayname"])
	require.Equal(t, map[string]any{"enabled": true}, c["m.set_avatar_url"])
}

func TestProfileErrors(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	put := func(user id.UserID, key string, body any) servertest.Request {
		return servertest.Request{Method: http.MethodPut, Path: profilePath(user, key), Token: alice.AccessToken, Body: body}
	}
	longKey := "org.example." + strings.Repeat("k", 250)
	for _, tc := range []struct {
		name    string
		req     servertest.Request
		status  int
		errcode string
	}{
		{"someone else's profile", put(bob.UserID, "displayname", map[string]any{"displayname": "Bobby"}), http.StatusForbidden, "M_FORBIDDEN"},
		{"a remote user's profile", put("@alice:elsewhere.test", "displayname", map[string]any{"displayname": "A"}), http.StatusForbidden, "M_FORBIDDEN"},
		{"no token", servertest.Request{Method: http.MethodPut, Path: profilePath(alice.UserID, "displayname"),
			Body: map[string]any{"displayname": "A"}}, http.StatusUnauthorized, "M_MISSING_TOKEN"},
		{"avatar not an mxc URI", put(alice.UserID, "avatar_url", map[string]any{"avatar_url": "https://example.org/a.png"}), http.StatusBadRequest, "M_INVALID_PARAM"},
		{"avatar mxc URI without media ID", put(alice.UserID, "avatar_url", map[string]any{"avatar_url": "mxc://hearth.test/"}), http.StatusBadRequest, "M_INVALID_PARAM"},
		{"avatar not a string", put(alice.UserID, "avatar_url", map[string]any{"avatar_url": 5}), http.StatusBadRequest, "M_BAD_JSON"},
		{"display name not a string", put(alice.UserID, "displayname", map[string]any{"displayname": []string{"A"}}), http.StatusBadRequest, "M_BAD_JSON"},
		{"display name null", put(alice.UserID, "displayname", `{"displayname": null}`), http.StatusBadRequest, "M_BAD_JSON"},
		{"time zone not a string", put(alice.UserID, "m.tz", map[string]any{"m.tz": 1}), http.StatusBadRequest, "M_BAD_JSON"},
		{"display name too long", put(alice.UserID, "displayname", map[string]any{"displayname": strings.Repeat("é", 257)}), http.StatusBadRequest, "M_INVALID_PARAM"},
		{"body without the key", put(alice.UserID, "displayname", map[string]any{"avatar_url": "mxc://hearth.test/a"}), http.StatusBadRequest, "M_MISSING_PARAM"},
		{"body not an object", put(alice.UserID, "org.example.x", `["org.example.x"]`), http.StatusBadRequest, "M_BAD_JSON"},
		{"body not JSON", put(alice.UserID, "org.example.x", `{"org.example.x":`), http.StatusBadRequest, "M_NOT_JSON"},
		{"key outside the grammar", put(alice.UserID, "Job", map[string]any{"Job": "x"}), http.StatusBadRequest, "M_INVALID_PARAM"},
		{"key without namespace", put(alice.UserID, "job", map[string]any{"job": "x"}), http.StatusBadRequest, "M_INVALID_PARAM"},
		{"key over 255 bytes", put(alice.UserID, longKey, map[string]any{longKey: "x"}), http.StatusBadRequest, "M_KEY_TOO_LARGE"},
		{"delete someone else's field", servertest.Request{Method: http.MethodDelete, Path: profilePath(bob.UserID, "displayname"),
			Token: alice.AccessToken}, http.StatusForbidden, "M_FORBIDDEN"},
		{"unknown user", servertest.Request{Method: http.MethodGet, Path: profilePath("@nobody:hearth.test", "")}, http.StatusNotFound, "M_NOT_FOUND"},
		{"unknown user's field", servertest.Request{Method: http.MethodGet, Path: profilePath("@nobody:hearth.test", "displayname")}, http.StatusNotFound, "M_NOT_FOUND"},
		{"remote user", servertest.Request{Method: http.MethodGet, Path: profilePath("@alice:elsewhere.test", "")}, http.StatusNotFound, "M_NOT_FOUND"},
		{"field not set", servertest.Request{Method: http.MethodGet, Path: profilePath(bob.UserID, "m.tz")}, http.StatusNotFound, "M_NOT_FOUND"},
		{"invalid user ID", servertest.Request{Method: http.MethodGet, Path: profilePath("@", "")}, http.StatusBadRequest, "M_INVALID_PARAM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Do(t, tc.req)
			require.Equal(t, tc.status, r.Status, "%s", r.Raw)
			require.Equal(t, tc.errcode, r.Errcode())
		})
	}

	// The whole profile, as canonical JSON, stays within 64 KiB.
	big := strings.Repeat("x", 40000)
	r := s.Do(t, put(alice.UserID, "org.example.a", map[string]any{"org.example.a": big}))
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	r = s.Do(t, put(alice.UserID, "org.example.b", map[string]any{"org.example.b": big}))
	require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Raw)
	require.Equal(t, "M_PROFILE_TOO_LARGE", r.Errcode())
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: profilePath(alice.UserID, "org.example.b")})
	require.Equal(t, http.StatusNotFound, r.Status, "the refused field is not stored")
	// Replacing a big field by a smaller one is fine.
	r = s.Do(t, put(alice.UserID, "org.example.a", map[string]any{"org.example.a": big[:30000]}))
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	r = s.Do(t, put(alice.UserID, "org.example.b", map[string]any{"org.example.b": big[:30000]}))
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)

	// None of the refusals touched bob's or alice's display name.
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: profilePath(bob.UserID, "displayname")})
	require.Equal(t, "bob", r.Body["displayname"])
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: profilePath(alice.UserID, "displayname")})
	require.Equal(t, "alice", r.Body["displayname"])
}

// memberContent reads user's current member event in room as reader sees it.
func memberContent(t *testing.T, reader *mautrix.Client, room id.RoomID, user id.UserID) event.MemberEventContent {
	t.Helper()
	var m event.MemberEventContent
	require.NoError(t, reader.StateEvent(context.Background(), room, event.StateMember, string(user), &m))
	return m
}

func TestProfileChangeReachesMemberEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	rooms := make([]id.RoomID, 3)
	for i := range rooms {
		created, err := bob.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
		require.NoError(t, err)
		rooms[i] = created.RoomID
		_, err = alice.JoinRoomByID(ctx, rooms[i])
		require.NoError(t, err)
	}
	// Joins carry the profile.
	require.Equal(t, "alice", memberContent(t, bob, rooms[0], alice.UserID).Displayname)
	// Alice leaves the last room: it must not hear of her new name, nor
	// see her join again.
	_, err := alice.LeaveRoom(ctx, rooms[2])
	require.NoError(t, err)
	leftEvents := eventCount(t, s, rooms[2])

	sync, err := bob.SyncRequest(ctx, 0, "", "", false, event.PresenceOnline)
	require.NoError(t, err)
	since := sync.NextBatch

	require.NoError(t, alice.SetDisplayName(ctx, "Alice Liddell"))
	avatar := id.ContentURI{Homeserver: "hearth.test", FileID: "rabbitHole"}
	require.NoError(t, alice.SetAvatarURL(ctx, avatar))
	for _, room := range rooms[:2] {
		m := memberContent(t, bob, room, alice.UserID)
		require.Equal(t, event.MembershipJoin, m.Membership)
		require.Equal(t, "Alice Liddell", m.Displayname)
		require.Equal(t, avatar.CUString(), m.AvatarURL)
	}
	require.Equal(t, event.MembershipLeave, memberContent(t, bob, rooms[2], alice.UserID).Membership)
	require.Equal(t, leftEvents, eventCount(t, s, rooms[2]))

	// Bob's next sync shows the new member events in his rooms' timelines.
	sync, err = bob.SyncRequest(ctx, 0, since, "", false, event.PresenceOnline)
	require.NoError(t, err)
	for _, room := range rooms[:2] {
		joined := sync.Rooms.Join[room]
		require.NotNil(t, joined, "room %s in sync", room)
		var names []string
		for _, ev := range joined.Timeline.Events {
			if ev.Type == event.StateMember && ev.GetStateKey() == string(alice.UserID) {
				require.NoError(t, ev.Content.ParseRaw(ev.Type))
				names = append(names, ev.Content.AsMember().Displayname)
			}
		}
		require.Equal(t, []string{"Alice Liddell", "Alice Liddell"}, names, "one event for the name, one for the avatar")
	}

	// Setting the same name again sends nothing; a custom field neither.
	before := eventCount(t, s, rooms[0])
	require.NoError(t, alice.SetDisplayName(ctx, "Alice Liddell"))
	require.NoError(t, alice.SetProfileField(ctx, "m.tz", "Europe/London"))
	require.Equal(t, before, eventCount(t, s, rooms[0]))

	// Deleting the display name takes it out of the member events.
	require.NoError(t, alice.DeleteProfileField(ctx, "displayname"))
	m := memberContent(t, bob, rooms[1], alice.UserID)
	require.Empty(t, m.Displayname)
	require.Equal(t, avatar.CUString(), m.AvatarURL)
}

func TestSharedSecretRegistrationSetsDisplayName(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) {
		c.Registration.SharedSecret = "s3cret"
	}))
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_synapse/admin/v1/register"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	nonce := r.Body["nonce"].(string)
	m := hmac.New(sha1.New, []byte("s3cret"))
	m.Write([]byte(nonce + "\x00hatter\x00teatime1\x00notadmin"))
	r = s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_synapse/admin/v1/register", Body: map[string]any{
		"nonce": nonce, "username": "hatter", "password": "teatime1", "displayname": "The Hatter", "mac": hex.EncodeToString(m.Sum(nil)),
	}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: profilePath("@hatter:hearth.test", "displayname")})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "The Hatter", r.Body["displayname"])
}

func TestDeactivationWithEraseClearsProfile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	for _, tc := range []struct {
		user  string
		erase bool
	}{{"keeper", false}, {"eraser", true}} {
		c := s.Register(t, tc.user, "password1")
		require.NoError(t, c.SetProfileField(ctx, "org.example.bio", "hello"))
		_, err := c.MakeFullRequest(ctx, mautrix.FullRequest{Method: http.MethodPost, URL: c.BuildClientURL("v3", "account", "deactivate"),
			RequestJSON: map[string]any{"erase": tc.erase, "auth": map[string]any{"type": "m.login.password", "password": "password1",
				"identifier": map[string]any{"type": "m.id.user", "user": tc.user}}}})
		require.NoError(t, err)
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: profilePath(c.UserID, "")})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		if tc.erase {
			require.Empty(t, r.Body, "erased: nothing left")
		} else {
			require.Equal(t, map[string]any{"displayname": tc.user, "org.example.bio": "hello"}, r.Body)
		}
	}
}

func TestAdminSetsProfile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	_, err := s.App.Accounts.CreateUser(ctx, "root", "password1", true)
	require.NoError(t, err)
	root := s.Client(t, "", "")
	_, err = root.Login(ctx, &mautrix.ReqLogin{Type: mautrix.AuthTypePassword, Password: "password1", StoreCredentials: true,
		Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: "root"}})
	require.NoError(t, err)
	alice := s.Register(t, "alice", "wonderland1")
	created, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	require.NoError(t, err)

	// An admin may change anyone's profile, through the client API...
	r := s.Do(t, servertest.Request{Method: http.MethodPut, Path: profilePath(alice.UserID, "displayname"), Token: root.AccessToken,
		Body: map[string]any{"displayname": "Alice (verified)"}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "Alice (verified)", memberContent(t, alice, created.RoomID, alice.UserID).Displayname)
	// ... and through the admin API, where the values are checked too.
	put := func(body map[string]any) servertest.Response {
		return s.Do(t, servertest.Request{Method: http.MethodPut, Path: "/_synapse/admin/v2/users/" + url.PathEscape(string(alice.UserID)),
			Token: root.AccessToken, Body: body})
	}
	r = put(map[string]any{"displayname": "Alice L.", "avatar_url": "mxc://hearth.test/portrait"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	m := memberContent(t, alice, created.RoomID, alice.UserID)
	require.Equal(t, "Alice L.", m.Displayname)
	require.Equal(t, id.ContentURIString("mxc://hearth.test/portrait"), m.AvatarURL)
	r = put(map[string]any{"avatar_url": "portrait.png"})
	require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Raw)
	require.Equal(t, "M_INVALID_PARAM", r.Errcode())
	p, err := alice.GetProfile(ctx, alice.UserID)
	require.NoError(t, err)
	require.Equal(t, "Alice L.", p.DisplayName)
}
