package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Store holds media bytes by content: the key of every blob is the hex
// SHA-256 of its bytes, so identical content is stored once. The local
// filesystem store is the default; an object store can take its place.
type Store interface {
	// Put reads r to its end and stores what it read. It fails with
	// errTooLarge, storing nothing, when r holds more than limit bytes.
	Put(ctx context.Context, r io.Reader, limit int64) (Blob, error)
	// Open returns the content with the given hash, or fs.ErrNotExist.
	Open(ctx context.Context, sha256 string) (File, error)
}

// Blob is stored content.
type Blob struct {
	SHA256 string
	Size   int64
	// Head is the first bytes (up to 512), for content sniffing.
	Head []byte
}

// File is stored content opened for reading.
type File interface {
	io.ReadSeekCloser
	Size() int64
	ModTime() time.Time
}

// errTooLarge is what Put answers for content over its limit.
var errTooLarge = errors.New("content is larger than allowed")

// LocalStore keeps content in a directory tree:
// <root>/content/ab/cd/abcdef… by hash, written first to <root>/tmp and
// renamed into place (atomic: readers never see half a file).
type LocalStore struct {
	root string
}

var _ Store = (*LocalStore)(nil)

// NewLocalStore returns a store under root, creating its directories.
func NewLocalStore(root string) (*LocalStore, error) {
	for _, d := range []string{"content", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o750); err != nil {
			return nil, fmt.Errorf("media store: %w", err)
		}
	}
	return &LocalStore{root: root}, nil
}

func (s *LocalStore) path(hash string) string {
	return filepath.Join(s.root, "content", hash[0:2], hash[2:4], hash)
}

// Put implements [Store]: it streams r into a temporary file while hashing
// it, syncs it and renames it to its hash's path. When that path exists
// already, the new copy is dropped.
func (s *LocalStore) Put(ctx context.Context, r io.Reader, limit int64) (_ Blob, err error) {
	tmp, err := os.CreateTemp(filepath.Join(s.root, "tmp"), "upload-*")
	if err != nil {
		return Blob{}, fmt.Errorf("media store: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	head := &headWriter{max: 512}
	n, err := io.Copy(io.MultiWriter(tmp, h, head), io.LimitReader(ctxReader{ctx, r}, limit+1))
	if err != nil {
		return Blob{}, fmt.Errorf("media store: read upload: %w", err)
	}
	if n > limit {
		return Blob{}, errTooLarge
	}
	// Synced before the metadata row that points at it commits.
	if err := tmp.Sync(); err != nil {
		return Blob{}, fmt.Errorf("media store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Blob{}, fmt.Errorf("media store: %w", err)
	}
	blob := Blob{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n, Head: head.buf}
	dst := s.path(blob.SHA256)
	if _, err := os.Stat(dst); err == nil {
		_ = os.Remove(tmp.Name()) // stored already: dedupe
		return blob, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return Blob{}, fmt.Errorf("media store: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return Blob{}, fmt.Errorf("media store: %w", err)
	}
	return blob, nil
}

// Open implements [Store].
func (s *LocalStore) Open(_ context.Context, hash string) (File, error) {
	if _, err := hex.DecodeString(hash); err != nil || len(hash) != sha256.Size*2 {
		return nil, fmt.Errorf("media store: bad hash %q: %w", hash, fs.ErrNotExist)
	}
	f, err := os.Open(s.path(hash))
	if err != nil {
		return nil, fmt.Errorf("media store: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("media store: %w", err)
	}
	return &localFile{File: f, size: st.Size(), mod: st.ModTime()}, nil
}

type localFile struct {
	*os.File
	size int64
	mod  time.Time
}

func (f *localFile) Size() int64        { return f.size }
func (f *localFile) ModTime() time.Time { return f.mod }

// headWriter keeps the first max bytes written to it.
type headWriter struct {
	buf []byte
	max int
}

func (w *headWriter) Write(p []byte) (int, error) {
	if room := w.max - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// ctxReader stops reading once ctx ends, so that an abandoned upload does
// not keep writing.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
