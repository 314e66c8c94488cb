package clientapi_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// found runs a user directory search and returns the user IDs found.
func found(t *testing.T, c *mautrix.Client, term string, limit int) ([]id.UserID, bool) {
	t.Helper()
	resp, err := c.SearchUserDirectory(context.Background(), term, limit)
	require.NoError(t, err)
	ids := []id.UserID{}
	for _, r := range resp.Results {
		ids = append(ids, r.UserID)
	}
	return ids, resp.Limited
}

func TestUserDirectoryWithMautrix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")
	dave := s.Register(t, "dave", "password1")
	erin := s.Register(t, "erin", "password1")
	s.Register(t, "frank", "password1") // in no room at all

	// alice and bob share a private room; carol sits alone in another.
	private, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{bob.UserID}})
	require.NoError(t, err)
	_, err = bob.JoinRoomByID(ctx, private.RoomID)
	require.NoError(t, err)
	_, err = carol.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	require.NoError(t, err)
	// dave is in a public room, erin in a private room anyone may read.
	_, err = dave.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	readable, err := erin.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat"})
	require.NoError(t, err)
	_, err = erin.SendStateEvent(ctx, readable.RoomID, event.StateHistoryVisibility, "",
		&event.HistoryVisibilityEventContent{HistoryVisibility: event.HistoryVisibilityWorldReadable})
	require.NoError(t, err)

	require.NoError(t, bob.SetDisplayName(ctx, "Robert Builder"))
	avatar := id.ContentURI{Homeserver: "hearth.test", FileID: "hardHat"}
	require.NoError(t, bob.SetAvatarURL(ctx, avatar))

	// A room-mate, by localpart, by display name (any word, any case).
	for _, term := range []string{"bob", "bo", "BUILD", "robert", "rob build", "@bob:hearth.test"} {
		ids, limited := found(t, alice, term, 10)
		require.Equal(t, []id.UserID{bob.UserID}, ids, "term %q", term)
		require.False(t, limited)
	}
	resp, err := alice.SearchUserDirectory(ctx, "bob", 10)
	require.NoError(t, err)
	// The spec's display_name: mautrix reads the profile's displayname
	// key into DisplayName, so the spec's key lands in Extra.
	require.Equal(t, "Robert Builder", resp.Results[0].Extra["display_name"])
	require.Equal(t, avatar, resp.Results[0].AvatarURL)

	// A stranger in a private room stays hidden; users in public or
	// world-readable rooms do not.
	ids, _ := found(t, alice, "carol", 10)
	require.Empty(t, ids)
	ids, _ = found(t, alice, "dave", 10)
	require.Equal(t, []id.UserID{dave.UserID}, ids)
	ids, _ = found(t, alice, "erin", 10)
	require.Equal(t, []id.UserID{erin.UserID}, ids)
	ids, _ = found(t, alice, "frank", 10)
	require.Empty(t, ids)
	// Words must all match, as prefixes only.
	ids, _ = found(t, alice, "ob", 10)
	require.Empty(t, ids)
	ids, _ = found(t, alice, "robert smith", 10)
	require.Empty(t, ids)
	ids, _ = found(t, alice, "!!!", 10)
	require.Empty(t, ids)

	// Once carol joins the public room, she is found; once she leaves
	// it, no more.
	pub, err := dave.JoinedRooms(ctx)
	require.NoError(t, err)
	_, err = carol.JoinRoomByID(ctx, pub.JoinedRooms[0])
	require.NoError(t, err)
	ids, _ = found(t, alice, "carol", 10)
	require.Equal(t, []id.UserID{carol.UserID}, ids)
	_, err = carol.LeaveRoom(ctx, pub.JoinedRooms[0])
	require.NoError(t, err)
	ids, _ = found(t, alice, "carol", 10)
	require.Empty(t, ids)

	// Deactivated users are never found.
	_, err = bob.MakeFullRequest(ctx, mautrix.FullRequest{Method: http.MethodPost, URL: bob.BuildClientURL("v3", "account", "deactivate"),
		RequestJSON: map[string]any{"auth": map[string]any{"type": "m.login.password", "password": "builder12",
			"identifier": map[string]any{"type": "m.id.user", "user": "bob"}}}})
	require.NoError(t, err)
	ids, _ = found(t, alice, "bob", 10)
	require.Empty(t, ids)
}

func TestUserDirectoryRanksAndLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	owner := s.Register(t, "owner", "password1")
	created, err := owner.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
	require.NoError(t, err)
	var all []id.UserID
	for _, name := range []string{"sam", "samwise", "sam.gamgee", "isamu"} {
		c := s.Register(t, name, "password1")
		_, err := c.JoinRoomByID(ctx, created.RoomID)
		require.NoError(t, err)
		all = append(all, c.UserID)
	}
	// Exact first, then localparts starting with the term, then word
	// matches; "isamu" has no word starting with "sam".
	ids, limited := found(t, owner, "sam", 10)
	require.False(t, limited)
	require.Equal(t, []id.UserID{all[0], all[2], all[1]}, ids)
	ids, limited = found(t, owner, "sam", 2)
	require.True(t, limited)
	require.Equal(t, []id.UserID{all[0], all[2]}, ids)
	ids, _ = found(t, owner, "gamgee", 10)
	require.Equal(t, []id.UserID{all[2]}, ids)

	for _, tc := range []struct {
		name    string
		body    any
		errcode string
	}{
		{"no search term", map[string]any{"limit": 3}, "M_BAD_JSON"},
		{"limit of zero", map[string]any{"search_term": "sam", "limit": 0}, "M_INVALID_PARAM"},
		{"search term not a string", map[string]any{"search_term": 7}, "M_BAD_JSON"},
	} {
		r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/user_directory/search", Token: owner.AccessToken, Body: tc.body})
		require.Equal(t, http.StatusBadRequest, r.Status, "%s: %s", tc.name, r.Raw)
		require.Equal(t, tc.errcode, r.Errcode(), tc.name)
	}
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/user_directory/search", Body: map[string]any{"search_term": "sam"}})
	require.Equal(t, http.StatusUnauthorized, r.Status)
}

func TestUserDirectorySearchAllUsers(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) { c.UserDirectory.SearchAllUsers = true }))
	alice := s.Register(t, "alice", "wonderland1")
	var want []id.UserID
	for i := range 12 {
		c := s.Register(t, fmt.Sprintf("stranger%02d", i), "password1")
		want = append(want, c.UserID)
	}
	ids, limited := found(t, alice, "stranger", 10)
	require.True(t, limited)
	require.Equal(t, want[:10], ids)
	ids, limited = found(t, alice, "stranger", 50)
	require.False(t, limited)
	require.Equal(t, want, ids)
	ids, _ = found(t, alice, "alice", 10)
	require.True(t, slices.Contains(ids, alice.UserID))
}
