package federation_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/federation"
)

func TestSigningKeyCreatedOnceThenLoaded(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keys", "signing.key")
	first, err := federation.LoadOrCreateSigningKey(path)
	require.NoError(t, err)
	require.Regexp(t, `^ed25519:a_[A-Za-z0-9]{4}$`, string(first.ID))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	again, err := federation.LoadOrCreateSigningKey(path)
	require.NoError(t, err)
	require.Equal(t, first.ID, again.ID)
	require.Equal(t, first.Priv, again.Priv)
}

func TestSigningKeyBadFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "signing.key")
	require.NoError(t, os.WriteFile(path, []byte("rsa 1 abc\n"), 0o600))
	_, err := federation.LoadOrCreateSigningKey(path)
	require.ErrorContains(t, err, "signing key")
}
