package media

import (
	"context"
	"errors"
	"io/fs"
	"time"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
)

// Request names the media a download or thumbnail asks for, and how.
type Request struct {
	Origin  string
	MediaID string
	// Wait is how long to wait for an upload still pending (timeout_ms);
	// it is capped by Config.MaxDownloadWait.
	Wait time.Duration
	// Unauthenticated marks the deprecated /_matrix/media/v3 endpoints:
	// they serve only media created while they were not frozen.
	Unauthenticated bool
	// NoRemote is the legacy allow_remote=false: only local or cached media.
	NoRemote bool
}

// Content is media ready to be served. The caller closes Body.
type Content struct {
	ContentType string
	// Disposition is the Content-Disposition to answer with.
	Disposition string
	Size        int64
	ModTime     time.Time
	Body        File
}

// Download returns the content of r, with fileName (when not empty) in
// place of the uploader's file name. It answers M_NOT_FOUND for unknown,
// expired or frozen media and for remote media that cannot be had, and
// M_NOT_YET_UPLOADED (504) when a pending upload did not come in time.
func (s *Service) Download(ctx context.Context, r Request, fileName string) (Content, error) {
	m, err := s.uploaded(ctx, r)
	if err != nil {
		return Content{}, err
	}
	f, err := s.open(ctx, *m.Sha256)
	if err != nil {
		return Content{}, err
	}
	if fileName == "" && m.FileName != nil {
		fileName = *m.FileName
	}
	return Content{
		ContentType: m.ContentType,
		Disposition: ContentDisposition(m.ContentType, fileName),
		Size:        f.Size(),
		ModTime:     derefTime(m.UploadedAt, m.CreatedAt),
		Body:        f,
	}, nil
}

// errNotFound is the answer for media that is not there, or not for this
// caller: the two are not told apart.
var errNotFound = mxerr.New(mxerr.NotFound, "media not found")

// uploaded returns the media row of r once it has content, fetching remote
// media through the Remote and waiting for pending uploads.
func (s *Service) uploaded(ctx context.Context, r Request) (db.Medium, error) {
	// Real time, not s.now: this is about how long the client waits.
	deadline := time.Now().Add(min(max(r.Wait, 0), s.cfg.MaxDownloadWait))
	for delay := 50 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		m, err := s.q.MediaGet(ctx, s.pool, db.MediaGetParams{Origin: r.Origin, MediaID: r.MediaID})
		switch {
		case pg.IsNoRows(err) && r.Origin != s.serverName:
			if r.NoRemote {
				return db.Medium{}, errNotFound
			}
			return s.fetchRemote(ctx, r)
		case pg.IsNoRows(err):
			return db.Medium{}, errNotFound
		case err != nil:
			return db.Medium{}, mxerr.Wrap(err, mxerr.Unknown, "look up media")
		case r.Unauthenticated && m.Restricted:
			// v1.19: the legacy endpoints MAY answer 404 M_NOT_FOUND for
			// media created after unauthenticated access was frozen.
			return db.Medium{}, errNotFound
		case m.QuarantinedBy != nil:
			return db.Medium{}, errNotFound // quarantined by an admin
		case m.Sha256 != nil:
			return m, nil
		case m.UnusedExpiresAt != nil && !s.now().Before(*m.UnusedExpiresAt):
			return db.Medium{}, errNotFound
		}
		// Reserved and not uploaded yet: poll until the deadline. Any
		// process may receive the upload, so the database is asked.
		left := time.Until(deadline)
		if left <= 0 {
			return db.Medium{}, mxerr.New(mxerr.NotYetUploaded, "media has not been uploaded yet")
		}
		t := time.NewTimer(min(delay, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return db.Medium{}, ctx.Err()
		case <-t.C:
		}
	}
}

func (s *Service) open(ctx context.Context, sha string) (File, error) {
	f, err := s.store.Open(ctx, sha)
	if errors.Is(err, fs.ErrNotExist) {
		// The row outlived its bytes (a restore, a manual deletion).
		s.log.ErrorContext(ctx, "media content missing from the store", "sha256", sha)
		return nil, errNotFound
	}
	if err != nil {
		return nil, mxerr.Wrap(err, mxerr.Unknown, "open media")
	}
	return f, nil
}

// fetchRemote gets remote media through the Remote and caches it: bytes in
// the store, a row under the remote origin.
func (s *Service) fetchRemote(ctx context.Context, r Request) (db.Medium, error) {
	rm, err := s.remote.Fetch(ctx, r.Origin, r.MediaID)
	if err != nil {
		return db.Medium{}, err
	}
	defer rm.Body.Close()
	blob, err := s.store.Put(ctx, rm.Body, s.cfg.MaxUploadBytes)
	if errors.Is(err, errTooLarge) {
		return db.Medium{}, mxerr.New(mxerr.TooLarge, "remote media is too large to serve").WithStatus(502)
	}
	if err != nil {
		return db.Medium{}, mxerr.Wrap(err, mxerr.Unknown, "store remote media")
	}
	now := s.now()
	err = s.q.MediaInsert(ctx, s.pool, db.MediaInsertParams{
		Origin: r.Origin, MediaID: r.MediaID,
		ContentType: normalizeContentType(rm.ContentType), FileName: fileNamePtr(rm.FileName),
		Size: &blob.Size, Sha256: &blob.SHA256, CreatedAt: now, UploadedAt: &now,
		Restricted: !s.cfg.LegacyUnauthenticatedMedia,
	})
	if err != nil && !pg.IsUniqueViolation(err, "media_pkey") { // another request cached it first
		return db.Medium{}, mxerr.Wrap(err, mxerr.Unknown, "cache remote media")
	}
	m, err := s.q.MediaGet(ctx, s.pool, db.MediaGetParams{Origin: r.Origin, MediaID: r.MediaID})
	if err != nil {
		return db.Medium{}, mxerr.Wrap(err, mxerr.Unknown, "look up media")
	}
	return m, nil
}

func derefTime(p *time.Time, fallback time.Time) time.Time {
	if p == nil {
		return fallback
	}
	return *p
}
