package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLocalStore(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s, err := NewLocalStore(root)
	require.NoError(t, err)
	data := bytes.Repeat([]byte("hearth"), 100000)
	sum := sha256.Sum256(data)

	b, err := s.Put(t.Context(), bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(sum[:]), b.SHA256)
	require.EqualValues(t, len(data), b.Size)
	require.Equal(t, data[:512], b.Head)

	again, err := s.Put(t.Context(), bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	require.Equal(t, b.SHA256, again.SHA256)

	f, err := s.Open(t.Context(), b.SHA256)
	require.NoError(t, err)
	got, err := io.ReadAll(f)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Equal(t, data, got)
	require.EqualValues(t, len(data), f.Size())

	_, err = s.Put(t.Context(), bytes.NewReader(data), int64(len(data))-1)
	require.ErrorIs(t, err, errTooLarge)

	_, err = s.Open(t.Context(), hex.EncodeToString(make([]byte, 32)))
	require.ErrorIs(t, err, fs.ErrNotExist)
	_, err = s.Open(t.Context(), "../../etc/passwd")
	require.ErrorIs(t, err, fs.ErrNotExist)

	tmp, err := os.ReadDir(filepath.Join(root, "tmp"))
	require.NoError(t, err)
	require.Empty(t, tmp, "no temporary file left behind")
	var files int
	require.NoError(t, filepath.WalkDir(filepath.Join(root, "content"), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files++
		}
		return err
	}))
	require.Equal(t, 1, files, "identical content stored once")
}
