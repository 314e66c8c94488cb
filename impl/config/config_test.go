package config_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/config"
)

func TestDefaultsAreValid(t *testing.T) {
	t.Parallel()
	c, err := config.Load("", nil)
	require.NoError(t, err)
	require.Equal(t, "localhost", c.ServerName)
	require.Equal(t, filepath.Join("data", "signing.key"), c.SigningKeyPath)
	require.Equal(t, filepath.Join("data", "postgres"), c.EmbeddedDatabase.DataDir)
	require.Equal(t, "closed", c.Registration.Mode)
	require.Empty(t, c.Database.URL, "no URL: the embedded cluster runs")
}

func TestFileThenEnvironment(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "hearth.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`
server_name: example.org
data_dir: /var/lib/hearth
registration:
  mode: token
accounts:
  access_token_lifetime: 10m
http:
  listen: ":9000"
`), 0o600))
	c, err := config.Load(path, []string{
		"HEARTH_REGISTRATION_MODE=open",
		"HEARTH_DATABASE_URL=postgres://u:secret@db/hearth",
		"HEARTH_HTTP_TRUSTED_PROXIES=10.0.0.0/8, 192.168.0.0/16",
		"OTHER=ignored",
	})
	require.NoError(t, err)
	require.Equal(t, "example.org", c.ServerName)
	require.Equal(t, "/var/lib/hearth/signing.key", c.SigningKeyPath)
	require.Equal(t, "open", c.Registration.Mode, "env wins over the file")
	require.Equal(t, 10*time.Minute, c.Accounts.AccessTokenLifetime)
	require.Equal(t, ":9000", c.HTTP.Listen)
	require.Equal(t, []string{"10.0.0.0/8", "192.168.0.0/16"}, c.HTTP.TrustedProxies)
	require.Equal(t, "postgres://u:secret@db/hearth", c.Database.URL)
}

func TestProblemsReportedTogether(t *testing.T) {
	t.Parallel()
	_, err := config.Load("", []string{
		"HEARTH_SERVER_NAME=not a name",
		"HEARTH_REGISTRATION_MODE=sometimes",
		"HEARTH_HTTP_MAX_BODY_BYTES=10",
	})
	require.Error(t, err)
	for _, want := range []string{"server_name", "registration.mode", "max_body_bytes"} {
		require.Contains(t, err.Error(), want)
	}
}

func TestUnknownKeysRefused(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "hearth.yaml")
	require.NoError(t, os.WriteFile(path, []byte("server_nmae: typo.org\n"), 0o600))
	_, err := config.Load(path, nil)
	require.ErrorContains(t, err, "server_nmae")
}

func TestBadEnvironmentValue(t *testing.T) {
	t.Parallel()
	_, err := config.Load("", []string{"HEARTH_ACCOUNTS_ACCESS_TOKEN_LIFETIME=soon"})
	require.ErrorContains(t, err, "HEARTH_ACCOUNTS_ACCESS_TOKEN_LIFETIME")
}

func TestEnvNamesCoverNestedSettings(t *testing.T) {
	t.Parallel()
	names := config.EnvNames()
	require.Contains(t, names, "HEARTH_DATABASE_URL")
	require.Contains(t, names, "HEARTH_REGISTRATION_SHARED_SECRET")
	require.Contains(t, names, "HEARTH_HTTP_RATE_LIMITS_ENABLED")
}
