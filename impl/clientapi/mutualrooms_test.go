package clientapi_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func TestMutualRooms(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	carol := s.Register(t, "carol", "christmas1")

	// 103 rooms of alice's, bob joins 102 of them and leaves one again:
	// 101 shared rooms, more than one page of 100.
	const rooms = 103
	created := make([]id.RoomID, rooms)
	var wg sync.WaitGroup
	errs := make(chan error, rooms)
	for i := range rooms {
		wg.Go(func() {
			resp, err := alice.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "public_chat"})
			if err == nil {
				created[i] = resp.RoomID
				if i > 0 {
					_, err = bob.JoinRoomByID(ctx, resp.RoomID)
				}
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	_, err := bob.LeaveRoom(ctx, created[1])
	require.NoError(t, err)
	_, err = carol.JoinRoomByID(ctx, created[0])
	require.NoError(t, err)
	shared := slices.Clone(created[2:])
	slices.Sort(shared)

	t.Run("two pages", func(t *testing.T) {
		t.Parallel()
		first, err := alice.GetMutualRooms(ctx, bob.UserID)
		require.NoError(t, err)
		require.Equal(t, 101, first.Count)
		require.Len(t, first.Joined, 100)
		require.NotEmpty(t, first.NextBatch)
		second, err := alice.GetMutualRooms(ctx, bob.UserID, mautrix.ReqMutualRooms{From: first.NextBatch})
		require.NoError(t, err)
		require.Equal(t, 101, second.Count)
		require.Empty(t, second.NextBatch)
		require.Equal(t, shared, append(first.Joined, second.Joined...), "every shared room once, by room ID")

		again, err := alice.GetMutualRooms(ctx, bob.UserID, mautrix.ReqMutualRooms{From: first.NextBatch})
		require.NoError(t, err)
		require.Equal(t, second.Joined, again.Joined, "a token always names the same page")
	})
	t.Run("either way round", func(t *testing.T) {
		t.Parallel()
		resp, err := carol.GetMutualRooms(ctx, alice.UserID)
		require.NoError(t, err)
		require.Equal(t, []id.RoomID{created[0]}, resp.Joined)
		require.Equal(t, 1, resp.Count)
		require.Empty(t, resp.NextBatch)
	})
	t.Run("nothing shared", func(t *testing.T) {
		t.Parallel()
		for _, other := range []id.UserID{bob.UserID, "@nobody:hearth.test", "@alice:elsewhere.test"} {
			r := s.Do(t, servertest.Request{Method: http.MethodGet, Token: carol.AccessToken,
				Path: "/_matrix/client/v1/mutual_rooms?user_id=" + url.QueryEscape(string(other))})
			require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
			require.Equal(t, []any{}, r.Body["joined"], other)
			require.Equal(t, float64(0), r.Body["count"], other)
			require.NotContains(t, r.Body, "next_batch")
		}
	})
	t.Run("bad input", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name, query, token string
			status             int
			errcode            string
		}{
			{"yourself", "user_id=" + url.QueryEscape(string(alice.UserID)), alice.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
			{"no user_id", "", alice.AccessToken, http.StatusBadRequest, "M_MISSING_PARAM"},
			{"not a user ID", "user_id=alice", alice.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
			{"a user ID without a server", "user_id=%40alice", alice.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
			{"a made-up token", "user_id=%40bob%3Ahearth.test&from=xyz", alice.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
			{"a token of another kind", "user_id=%40bob%3Ahearth.test&from=mZm9v", alice.AccessToken, http.StatusBadRequest, "M_INVALID_PARAM"},
			{"no access token", "user_id=%40bob%3Ahearth.test", "", http.StatusUnauthorized, "M_MISSING_TOKEN"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				r := s.Do(t, servertest.Request{Method: http.MethodGet, Token: tc.token, Path: "/_matrix/client/v1/mutual_rooms?" + tc.query})
				require.Equal(t, tc.status, r.Status, string(r.Raw))
				require.Equal(t, tc.errcode, r.Errcode())
			})
		}
	})
}
