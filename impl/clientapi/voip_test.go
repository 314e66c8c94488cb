package clientapi_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func TestTurnServerCredentials(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) {
		c.TURN.URIs = []string{"turn:turn.hearth.test:3478?transport=udp", "turns:turn.hearth.test:5349"}
		c.TURN.SharedSecret = "coturn-secret"
		c.TURN.TTL = time.Hour
		c.TURN.AllowGuests = false
		c.Registration.AllowGuests = true
	}))
	alice := s.Register(t, "alice", "wonderland1")
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/voip/turnServer", Token: alice.AccessToken})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, []any{"turn:turn.hearth.test:3478?transport=udp", "turns:turn.hearth.test:5349"}, r.Body["uris"])
	require.EqualValues(t, 3600, r.Body["ttl"])

	// coturn's use-auth-secret: "<expiry>:<user>", base64(HMAC-SHA1(secret, username)).
	username := r.Body["username"].(string)
	expiry, user, ok := strings.Cut(username, ":")
	require.True(t, ok)
	require.Equal(t, string(alice.UserID), user)
	exp, err := strconv.ParseInt(expiry, 10, 64)
	require.NoError(t, err)
	require.InDelta(t, s.Clock.Now().Add(time.Hour).Unix(), exp, 1)
	mac := hmac.New(sha1.New, []byte("coturn-secret"))
	mac.Write([]byte(username))
	require.Equal(t, base64.StdEncoding.EncodeToString(mac.Sum(nil)), r.Body["password"])

	guest := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/register?kind=guest", Body: map[string]any{}})
	require.Equal(t, http.StatusOK, guest.Status, "%s", guest.Raw)
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/voip/turnServer", Token: guest.Body["access_token"].(string)})
	require.Equal(t, http.StatusForbidden, r.Status)
}

func TestTurnServerNotConfigured(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/voip/turnServer", Token: alice.AccessToken})
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "{}", string(r.Raw))
}
