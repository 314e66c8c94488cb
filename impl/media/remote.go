package media

import (
	"context"
	"io"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// Remote fetches media that other servers hold: the seam federation fills
// (v1.19 server-server, Content Repository: GET
// /_matrix/federation/v1/media/download/{mediaId}). The service caches what
// it returns (a media row with the remote origin, bytes in the Store) and
// serves it, and its thumbnails, like local media afterwards.
type Remote interface {
	// Fetch returns the media mediaID of origin, waiting at most until ctx
	// ends. It answers a *mxerr.Error for what the client should see:
	// M_NOT_FOUND when origin has no such media, M_NOT_YET_UPLOADED (504)
	// when it is pending there, M_TOO_LARGE (502) when it is too large,
	// M_UNKNOWN (502) when origin cannot be reached. The caller closes Body.
	Fetch(ctx context.Context, origin, mediaID string) (RemoteMedia, error)
}

// RemoteMedia is what Remote.Fetch got from the origin server.
type RemoteMedia struct {
	ContentType string
	FileName    string
	Body        io.ReadCloser
}

// NoRemote is the Remote of a server without federation: every remote
// media ID is unknown here, which v1.19 answers 404 M_NOT_FOUND.
type NoRemote struct{}

// Fetch implements [Remote].
func (NoRemote) Fetch(context.Context, string, string) (RemoteMedia, error) {
	return RemoteMedia{}, mxerr.New(mxerr.NotFound, "remote media is not available: this server does not federate yet")
}
