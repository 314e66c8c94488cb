package app_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/app"
	"github.com/hearth-hs/hearth/impl/testutil"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
	"github.com/hearth-hs/hearth/impl/tlscert"
)

// TestServeTLSFromIssuer runs the TLS listener with a certificate issued at
// start from a test CA, as Complement's containers do, and loads an
// application service's registration.
func TestServeTLSFromIssuer(t *testing.T) {
	t.Parallel()
	ca := testutil.NewCA(t, true)
	dir := t.TempDir()
	cfg := servertest.Config(t)
	cfg.ServerName = "hs1"
	cfg.HTTP.Listen = freeAddr(t)
	cfg.HTTP.TLSListen = freeAddr(t)
	cfg.TLSIssuer = tlscert.Config{CACert: filepath.Join(dir, "ca.crt"), CAKey: filepath.Join(dir, "ca.key")}
	require.NoError(t, os.WriteFile(cfg.TLSIssuer.CACert, ca.CertPEM, 0o644))
	require.NoError(t, os.WriteFile(cfg.TLSIssuer.CAKey, ca.KeyPEM, 0o600))
	cfg.AppService.RegistrationDir = filepath.Join(dir, "appservice")
	require.NoError(t, os.Mkdir(cfg.AppService.RegistrationDir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(cfg.AppService.RegistrationDir, "bridge.yaml"),
		[]byte("id: bridge\nas_token: a\nhs_token: h\nsender_localpart: bridge\n"), 0o600))

	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, testutil.Logger(t), app.Options{})
	require.NoError(t, err)
	defer a.Close(context.Background())
	require.Len(t, a.AppServices, 1)
	require.Equal(t, "bridge", a.AppServices[0].ID)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool, ServerName: "hs1"}}}
	var resp *http.Response
	require.Eventually(t, func() bool {
		resp, err = client.Get("https://" + cfg.HTTP.TLSListen + "/_matrix/key/v2/server")
		return err == nil
	}, 10*time.Second, 20*time.Millisecond, "TLS verifies against the CA as hs1")
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	cancel()
	require.NoError(t, <-done)
}

func TestBadAppServiceRegistrationFailsTheStart(t *testing.T) {
	t.Parallel()
	cfg := servertest.Config(t)
	cfg.AppService.RegistrationFiles = []string{filepath.Join(t.TempDir(), "missing.yaml")}
	_, err := app.New(context.Background(), cfg, testutil.Logger(t), app.Options{})
	require.ErrorContains(t, err, "missing.yaml")
}
