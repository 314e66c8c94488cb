package federation_test

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/federation"
	"github.com/hearth-hs/hearth/impl/testutil"
)

func TestTrustedCAFiles(t *testing.T) {
	t.Parallel()
	ca := testutil.NewCA(t, false)
	dir := t.TempDir()
	good := filepath.Join(dir, "ca.crt")
	require.NoError(t, os.WriteFile(good, ca.CertPEM, 0o644))
	bad := filepath.Join(dir, "ca.key")
	require.NoError(t, os.WriteFile(bad, ca.KeyPEM, 0o600))

	cfg := federation.Config{TrustedCAFiles: []string{good}}
	require.NoError(t, cfg.Validate())
	pool, err := cfg.RootCAs()
	require.NoError(t, err)
	_, err = ca.Cert.Verify(x509.VerifyOptions{Roots: pool})
	require.NoError(t, err, "the file's CA is trusted")

	err = federation.Config{TrustedCAFiles: []string{bad, filepath.Join(dir, "missing.crt")}}.Validate()
	require.ErrorContains(t, err, "holds no PEM certificate")
	require.ErrorContains(t, err, "missing.crt")
}
