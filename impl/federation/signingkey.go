package federation

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"maunium.net/go/mautrix/federation"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxid"
)

// LoadOrCreateSigningKey reads the server's signing key from path, in
// Synapse's one-line format ("ed25519 <version> <base64 seed>"), so keys
// move between homeservers. When the file does not exist it makes a new key
// and writes it with owner-only permissions.
func LoadOrCreateSigningKey(path string) (*federation.SigningKey, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key, err := federation.ParseSynapseKey(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("signing key %s: %w", path, err)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	key, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create signing key directory: %w", err)
	}
	// O_EXCL: two processes starting at once must not write two keys.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateSigningKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("create signing key: %w", err)
	}
	if _, err := f.WriteString(key.SynapseString() + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	return key, nil
}

// newSigningKey makes a key whose version is "a_" and four characters from
// [a-zA-Z0-9], within the grammar of key identifiers.
func newSigningKey() (*federation.SigningKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	return &federation.SigningKey{
		ID:   id.NewKeyID(id.KeyAlgorithmEd25519, "a_"+mxid.NewOpaque(4)),
		Pub:  id.SigningKey(base64.RawStdEncoding.EncodeToString(pub)),
		Priv: priv,
	}, nil
}
