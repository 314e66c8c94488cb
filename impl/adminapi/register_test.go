package adminapi_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// mac computes the request MAC the way Synapse's register_new_matrix_user
// script does.
func mac(secret, nonce, user, password string, admin bool) string {
	m := hmac.New(sha1.New, []byte(secret))
	role := "notadmin"
	if admin {
		role = "admin"
	}
	m.Write([]byte(nonce + "\x00" + user + "\x00" + password + "\x00" + role))
	return hex.EncodeToString(m.Sum(nil))
}

func TestSharedSecretRegistration(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) {
		c.Registration.Mode = "closed"
		c.Registration.SharedSecret = "s3cret"
	}))
	nonce := func() string {
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_synapse/admin/v1/register"})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		return r.Body["nonce"].(string)
	}
	post := func(body map[string]any) servertest.Response {
		return s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_synapse/admin/v1/register", Body: body})
	}

	n := nonce()
	r := post(map[string]any{"nonce": n, "username": "root2", "password": "pw", "admin": true, "mac": mac("wrong", n, "root2", "pw", true)})
	require.Equal(t, http.StatusForbidden, r.Status)

	n = nonce()
	r = post(map[string]any{"nonce": n, "username": "boss", "password": "pw", "admin": true, "mac": mac("s3cret", n, "boss", "pw", true)})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "@boss:hearth.test", r.Body["user_id"])
	require.Equal(t, "hearth.test", r.Body["home_server"])
	who := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/account/whoami", Token: r.Body["access_token"].(string)})
	require.Equal(t, http.StatusOK, who.Status)

	r = post(map[string]any{"nonce": n, "username": "boss2", "password": "pw", "mac": mac("s3cret", n, "boss2", "pw", false)})
	require.Equal(t, http.StatusBadRequest, r.Status, "a nonce works once")

	s.Clock.Advance(2 * 60 * 1e9)
	n2 := nonce()
	s.Clock.Advance(2 * 60 * 1e9)
	r = post(map[string]any{"nonce": n2, "username": "late", "password": "pw", "mac": mac("s3cret", n2, "late", "pw", false)})
	require.Equal(t, http.StatusBadRequest, r.Status, "nonces expire")
}

func TestSharedSecretRegistrationOff(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_synapse/admin/v1/register"})
	require.Equal(t, http.StatusBadRequest, r.Status)
}
