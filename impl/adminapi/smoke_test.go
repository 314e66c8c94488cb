package adminapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestServerVersion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.ok(t, http.MethodGet, "/_synapse/admin/v1/server_version", nil)
	require.Contains(t, v["server_version"], "hearth/")
	r := b.do(t, b.user, http.MethodGet, "/_synapse/admin/v1/server_version", nil)
	require.Equal(t, http.StatusForbidden, r.Status)
	require.Equal(t, "M_FORBIDDEN", r.Errcode())
	r = b.s.Do(t, servertestRequest(http.MethodGet, "/_synapse/admin/v1/server_version"))
	require.Equal(t, http.StatusUnauthorized, r.Status)
}
