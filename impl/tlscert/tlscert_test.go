package tlscert_test

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/testutil"
	"github.com/hearth-hs/hearth/impl/tlscert"
)

// writeCA writes ca's files into a new directory and returns the Config
// naming them.
func writeCA(t *testing.T, ca testutil.CA) tlscert.Config {
	t.Helper()
	dir := t.TempDir()
	cfg := tlscert.Config{CACert: filepath.Join(dir, "ca.crt"), CAKey: filepath.Join(dir, "ca.key")}
	require.NoError(t, os.WriteFile(cfg.CACert, ca.CertPEM, 0o644))
	require.NoError(t, os.WriteFile(cfg.CAKey, ca.KeyPEM, 0o600))
	return cfg
}

func TestIssueVerifiesAgainstTheCA(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, serverName, verifyAs string
		rsa                        bool
	}{
		{"a bare name, as Complement's hs1", "hs1", "hs1", false},
		{"a 2048-bit RSA CA, as openssl genrsa makes", "hs2", "hs2", true},
		{"the port is not part of the name", "matrix.example.org:8448", "matrix.example.org", false},
		{"an IP literal", "10.1.2.3", "10.1.2.3", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ca := testutil.NewCA(t, tc.rsa)
			now := time.Now()
			cert, err := tlscert.Issue(writeCA(t, ca), tc.serverName, now)
			require.NoError(t, err)
			_, err = cert.Leaf.Verify(x509.VerifyOptions{
				DNSName:   tc.verifyAs,
				Roots:     ca.Pool,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			})
			require.NoError(t, err)
			require.False(t, cert.Leaf.NotAfter.After(ca.Cert.NotAfter), "not valid beyond its CA")
		})
	}
}

func TestIssueRefusesWhatCannotWork(t *testing.T) {
	t.Parallel()
	ca := testutil.NewCA(t, false)
	other := testutil.NewCA(t, false)

	t.Run("a key that is not the CA's", func(t *testing.T) {
		t.Parallel()
		cfg := writeCA(t, ca)
		require.NoError(t, os.WriteFile(cfg.CAKey, other.KeyPEM, 0o600))
		_, err := tlscert.Issue(cfg, "hs1", time.Now())
		require.ErrorContains(t, err, "is not the key of")
	})
	t.Run("missing files", func(t *testing.T) {
		t.Parallel()
		_, err := tlscert.Issue(tlscert.Config{CACert: "/nonexistent/ca.crt", CAKey: "/nonexistent/ca.key"}, "hs1", time.Now())
		require.ErrorContains(t, err, "read CA certificate")
	})
	t.Run("a certificate that is not a CA's", func(t *testing.T) {
		t.Parallel()
		leaf, err := tlscert.Issue(writeCA(t, ca), "hs1", time.Now())
		require.NoError(t, err)
		cfg := writeCA(t, ca)
		require.NoError(t, os.WriteFile(cfg.CACert, pemCert(leaf.Certificate[0]), 0o644))
		_, err = tlscert.Issue(cfg, "hs1", time.Now())
		require.ErrorContains(t, err, "not a CA's")
	})
	t.Run("half a configuration", func(t *testing.T) {
		t.Parallel()
		require.ErrorContains(t, tlscert.Config{CACert: "ca.crt"}.Validate(), "go together")
		require.NoError(t, tlscert.Config{}.Validate())
	})
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
