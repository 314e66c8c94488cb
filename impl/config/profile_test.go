package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestComplementProfile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		paths  []string // what exists
		tls    bool
		asDir  bool
		server string
	}{
		{name: "CA and appservices mounted", paths: []string{complementCACert, complementCAKey, complementAppServiceDir}, tls: true, asDir: true},
		{name: "nothing mounted"},
		{name: "half a CA is no CA", paths: []string{complementCACert}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			exists := func(p string) bool { return slices.Contains(tc.paths, p) }
			complement(&c, map[string]string{"SERVER_NAME": "hs1"}, exists)

			require.Equal(t, "hs1", c.ServerName)
			require.Equal(t, "open", c.Registration.Mode)
			require.Equal(t, "complement", c.Registration.SharedSecret)
			require.False(t, c.HTTP.RateLimits.Enabled)
			require.Equal(t, 1, c.Accounts.Password.MinLength)
			require.True(t, c.Federation.AllowPrivateAddresses)
			if tc.tls {
				require.Equal(t, ":8448", c.HTTP.TLSListen)
				require.Equal(t, complementCACert, c.TLSIssuer.CACert)
				require.Equal(t, []string{complementCACert}, c.Federation.TrustedCAFiles)
			} else {
				require.Empty(t, c.HTTP.TLSListen)
				require.False(t, c.TLSIssuer.Enabled())
				require.Empty(t, c.Federation.TrustedCAFiles)
			}
			if tc.asDir {
				require.Equal(t, complementAppServiceDir, c.AppService.RegistrationDir)
			} else {
				require.Empty(t, c.AppService.RegistrationDir)
			}
		})
	}
}

func TestProfileChosenByEnvironmentOrFile(t *testing.T) {
	t.Parallel()
	none := func(string) bool { return false }

	t.Run("no profile is the default", func(t *testing.T) {
		t.Parallel()
		c := Default()
		require.NoError(t, applyProfile(&c, nil, []string{"SERVER_NAME=hs1"}, none))
		require.Empty(t, c.Profile)
		require.Equal(t, "localhost", c.ServerName, "SERVER_NAME means nothing without the profile")
		require.True(t, c.HTTP.RateLimits.Enabled)
	})
	t.Run("HEARTH_PROFILE", func(t *testing.T) {
		t.Parallel()
		c := Default()
		require.NoError(t, applyProfile(&c, nil, []string{"HEARTH_PROFILE=complement", "SERVER_NAME=hs2"}, none))
		require.Equal(t, "complement", c.Profile)
		require.Equal(t, "hs2", c.ServerName)
	})
	t.Run("the file's profile key", func(t *testing.T) {
		t.Parallel()
		c := Default()
		require.NoError(t, applyProfile(&c, []byte("profile: complement\n"), nil, none))
		require.Equal(t, "complement", c.Profile)
	})
	t.Run("an unknown profile", func(t *testing.T) {
		t.Parallel()
		c := Default()
		require.ErrorContains(t, applyProfile(&c, nil, []string{"HEARTH_PROFILE=prod"}, none), "want one of complement")
	})
}

func TestFileAndEnvironmentWinOverTheProfile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "hearth.yaml")
	require.NoError(t, os.WriteFile(path, []byte("profile: complement\nregistration:\n  mode: token\n"), 0o600))
	c, err := Load(path, []string{"SERVER_NAME=hs1", "HEARTH_REGISTRATION_SHARED_SECRET=from-env"})
	require.NoError(t, err)
	require.Equal(t, "hs1", c.ServerName)
	require.Equal(t, "token", c.Registration.Mode, "the file wins")
	require.Equal(t, "from-env", c.Registration.SharedSecret, "the environment wins")
	require.False(t, c.HTTP.RateLimits.Enabled, "the rest of the profile holds")
}

func TestTLSListenNeedsACertificate(t *testing.T) {
	t.Parallel()
	_, err := Load("", []string{"HEARTH_HTTP_TLS_LISTEN=:8448"})
	require.ErrorContains(t, err, "http.tls_listen needs a certificate")
	_, err = Load("", []string{"HEARTH_HTTP_TLS_LISTEN=:8448", "HEARTH_TLS_ISSUER_CA_CERT=/ca.crt", "HEARTH_TLS_ISSUER_CA_KEY=/ca.key"})
	require.NoError(t, err, "an issuer's files are read at start, not at load")
}
