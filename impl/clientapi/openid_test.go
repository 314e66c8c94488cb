package clientapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func userinfo(s *servertest.Server, t *testing.T, token string) servertest.Response {
	t.Helper()
	return s.Do(t, servertest.Request{Method: http.MethodGet,
		Path: "/_matrix/federation/v1/openid/userinfo?access_token=" + url.QueryEscape(token)})
}

func TestOpenIDTokenRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")

	tok, err := alice.RequestOpenIDToken(ctx) // mautrix sends no body at all
	require.NoError(t, err)
	require.Equal(t, "Bearer", tok.TokenType)
	require.Equal(t, "hearth.test", tok.MatrixServerName)
	require.Equal(t, 3600, tok.ExpiresIn)
	require.NotEmpty(t, tok.AccessToken)

	r := userinfo(s, t, tok.AccessToken)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	require.Equal(t, map[string]any{"sub": "@alice:hearth.test"}, r.Body)

	t.Run("the token is not an access token", func(t *testing.T) {
		t.Parallel()
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/account/whoami", Token: tok.AccessToken})
		require.Equal(t, http.StatusUnauthorized, r.Status)
		require.Equal(t, "M_UNKNOWN_TOKEN", r.Errcode())
	})
	t.Run("an access token is not an OpenID token", func(t *testing.T) {
		t.Parallel()
		r := userinfo(s, t, alice.AccessToken)
		require.Equal(t, http.StatusUnauthorized, r.Status)
		require.Equal(t, "M_UNKNOWN_TOKEN", r.Errcode())
	})
	t.Run("each request makes a new token", func(t *testing.T) {
		t.Parallel()
		other, err := bob.RequestOpenIDToken(ctx)
		require.NoError(t, err)
		require.NotEqual(t, tok.AccessToken, other.AccessToken)
		r := userinfo(s, t, other.AccessToken)
		require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
		require.Equal(t, "@bob:hearth.test", r.Body["sub"])
	})
}

func TestOpenIDTokenExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	tok, err := alice.RequestOpenIDToken(ctx)
	require.NoError(t, err)

	s.Clock.Advance(time.Hour - time.Second)
	require.Equal(t, http.StatusOK, userinfo(s, t, tok.AccessToken).Status)
	s.Clock.Advance(time.Second)
	r := userinfo(s, t, tok.AccessToken)
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, "M_UNKNOWN_TOKEN", r.Errcode())

	// Tokens issued later still work (and clear out the expired ones).
	s.Clock.Advance(time.Minute)
	fresh, err := alice.RequestOpenIDToken(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, userinfo(s, t, fresh.AccessToken).Status)
	require.Equal(t, http.StatusUnauthorized, userinfo(s, t, tok.AccessToken).Status)
}

func TestOpenIDTokenRefusals(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	s.Register(t, "bob", "builder12")
	requestToken := func(user, token string, body any) servertest.Response {
		return s.Do(t, servertest.Request{Method: http.MethodPost,
			Path: "/_matrix/client/v3/user/" + url.PathEscape(user) + "/openid/request_token", Token: token, Body: body})
	}
	for _, tc := range []struct {
		name, user, token string
		body              any
		status            int
		errcode           string
	}{
		{"for yourself, with an empty object", "@alice:hearth.test", alice.AccessToken, map[string]any{}, http.StatusOK, ""},
		{"for another user", "@bob:hearth.test", alice.AccessToken, map[string]any{}, http.StatusForbidden, "M_FORBIDDEN"},
		{"for a user of another server", "@alice:elsewhere.test", alice.AccessToken, map[string]any{}, http.StatusForbidden, "M_FORBIDDEN"},
		{"for a malformed user ID", "alice", alice.AccessToken, map[string]any{}, http.StatusBadRequest, "M_INVALID_PARAM"},
		{"without an access token", "@alice:hearth.test", "", map[string]any{}, http.StatusUnauthorized, "M_MISSING_TOKEN"},
		{"with a body that is not an object", "@alice:hearth.test", alice.AccessToken, []any{}, http.StatusBadRequest, "M_BAD_JSON"},
		{"with a body that is not JSON", "@alice:hearth.test", alice.AccessToken, "{", http.StatusBadRequest, "M_NOT_JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := requestToken(tc.user, tc.token, tc.body)
			require.Equal(t, tc.status, r.Status, string(r.Raw))
			require.Equal(t, tc.errcode, r.Errcode())
		})
	}

	t.Run("userinfo", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{
			"/_matrix/federation/v1/openid/userinfo?access_token=hot_unknown",
			"/_matrix/federation/v1/openid/userinfo?access_token=",
		} {
			r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: path})
			require.Equal(t, http.StatusUnauthorized, r.Status, path)
			require.Equal(t, "M_UNKNOWN_TOKEN", r.Errcode(), path)
		}
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/federation/v1/openid/userinfo"})
		require.Equal(t, http.StatusBadRequest, r.Status)
		require.Equal(t, "M_MISSING_PARAM", r.Errcode())
	})
}
