package media

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/pg"
)

// Upload is one upload's bytes and what the client said of them.
type Upload struct {
	Uploader id.UserID
	// ContentType is the client's Content-Type; empty or malformed means
	// application/octet-stream.
	ContentType string
	FileName    string
	Body        io.Reader
	// Length is the declared length, -1 when unknown: a declared length
	// over the limit is refused before a byte is read.
	Length int64
}

// Upload stores u under a new media ID and returns its mxc:// URI. Images
// get their thumbnails made by a job enqueued in the same transaction. It
// answers M_TOO_LARGE over the upload limit and M_FORBIDDEN past the
// user's quota.
func (s *Service) Upload(ctx context.Context, u Upload) (id.ContentURI, error) {
	blob, err := s.receive(ctx, u)
	if err != nil {
		return id.ContentURI{}, err
	}
	uri := id.ContentURI{Homeserver: s.serverName, FileID: mxid.NewMediaID()}
	contentType, fileName := normalizeContentType(u.ContentType), fileNamePtr(u.FileName)
	now := s.now()
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.checkQuota(ctx, tx, u.Uploader, blob.Size); err != nil {
			return err
		}
		err := s.q.MediaInsert(ctx, tx, db.MediaInsertParams{
			Origin: uri.Homeserver, MediaID: uri.FileID, UserID: u.Uploader,
			ContentType: contentType, FileName: fileName,
			Size: &blob.Size, Sha256: &blob.SHA256,
			CreatedAt: now, UploadedAt: &now,
			Restricted: !s.cfg.LegacyUnauthenticatedMedia,
		})
		if err != nil {
			return err
		}
		return s.enqueueThumbnails(ctx, tx, uri, contentType, blob)
	})
	if err != nil {
		return id.ContentURI{}, uploadError(err)
	}
	return uri, nil
}

// Create reserves a media ID for an upload to come (POST
// /_matrix/media/v1/create) and returns it with the time it expires
// unused. It answers M_LIMIT_EXCEEDED when the user has too many
// reservations waiting.
func (s *Service) Create(ctx context.Context, user id.UserID) (id.ContentURI, time.Time, error) {
	uri := id.ContentURI{Homeserver: s.serverName, FileID: mxid.NewMediaID()}
	now := s.now()
	expires := now.Add(s.cfg.UnusedExpiry)
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.q.MediaLockUser(ctx, tx, string(user)); err != nil {
			return err
		}
		pending, err := s.q.MediaCountPending(ctx, tx, db.MediaCountPendingParams{UserID: user, Now: now})
		if err != nil {
			return err
		}
		if pending >= int64(s.cfg.MaxPendingUploads) {
			return mxerr.New(mxerr.LimitExceeded, "too many pending uploads: upload to the media IDs you created first").
				With("retry_after_ms", s.cfg.UnusedExpiry.Milliseconds())
		}
		return s.q.MediaInsert(ctx, tx, db.MediaInsertParams{
			Origin: uri.Homeserver, MediaID: uri.FileID, UserID: user,
			ContentType: "application/octet-stream", CreatedAt: now, UnusedExpiresAt: &expires,
			Restricted: !s.cfg.LegacyUnauthenticatedMedia,
		})
	})
	if err != nil {
		return id.ContentURI{}, time.Time{}, uploadError(err)
	}
	return uri, expires, nil
}

// UploadTo stores u under a media ID reserved by Create (PUT
// /_matrix/media/v3/upload/{serverName}/{mediaId}). It answers M_NOT_FOUND
// for an ID that is not this server's, was never reserved or has expired,
// M_FORBIDDEN when another user reserved it, M_CANNOT_OVERWRITE_MEDIA (409)
// when it has content already, and as Upload otherwise.
func (s *Service) UploadTo(ctx context.Context, uri id.ContentURI, u Upload) error {
	// Checked before reading a byte, and again when writing the row.
	if err := s.checkReservation(ctx, uri, u.Uploader); err != nil {
		return err
	}
	blob, err := s.receive(ctx, u)
	if err != nil {
		return err
	}
	contentType, fileName := normalizeContentType(u.ContentType), fileNamePtr(u.FileName)
	now := s.now()
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.checkQuota(ctx, tx, u.Uploader, blob.Size); err != nil {
			return err
		}
		n, err := s.q.MediaSetContent(ctx, tx, db.MediaSetContentParams{
			Origin: uri.Homeserver, MediaID: uri.FileID, ContentType: contentType, FileName: fileName,
			Size: &blob.Size, Sha256: &blob.SHA256, UploadedAt: &now,
		})
		if err != nil {
			return err
		}
		if n == 0 {
			return errCannotOverwrite
		}
		return s.enqueueThumbnails(ctx, tx, uri, contentType, blob)
	})
	if err != nil {
		return uploadError(err)
	}
	return nil
}

var errCannotOverwrite = mxerr.New(mxerr.CannotOverwriteMedia, "media already uploaded")

func (s *Service) checkReservation(ctx context.Context, uri id.ContentURI, user id.UserID) error {
	notFound := mxerr.New(mxerr.NotFound, "unknown media ID: create it with POST /_matrix/media/v1/create first")
	if uri.Homeserver != s.serverName {
		return notFound
	}
	m, err := s.q.MediaGet(ctx, s.pool, db.MediaGetParams{Origin: uri.Homeserver, MediaID: uri.FileID})
	switch {
	case pg.IsNoRows(err):
		return notFound
	case err != nil:
		return mxerr.Wrap(err, mxerr.Unknown, "look up media")
	case m.UserID != user:
		return mxerr.New(mxerr.Forbidden, "this media ID was created by another user")
	case m.Sha256 != nil:
		return errCannotOverwrite
	case m.UnusedExpiresAt != nil && !s.now().Before(*m.UnusedExpiresAt):
		return mxerr.New(mxerr.NotFound, "this media ID has expired")
	}
	return nil
}

// receive streams an upload's body into the store within the size limit.
func (s *Service) receive(ctx context.Context, u Upload) (Blob, error) {
	limit := s.cfg.MaxUploadBytes
	if u.Length > limit {
		return Blob{}, tooLarge(limit)
	}
	blob, err := s.store.Put(ctx, u.Body, limit)
	if errors.Is(err, errTooLarge) {
		return Blob{}, tooLarge(limit)
	}
	var tooBig *http.MaxBytesError // the HTTP server's own limit tripped first
	if errors.As(err, &tooBig) {
		return Blob{}, tooLarge(min(limit, tooBig.Limit))
	}
	if err != nil {
		return Blob{}, err // the client went away, or the disk failed
	}
	return blob, nil
}

func tooLarge(limit int64) error {
	return mxerr.New(mxerr.TooLarge, "upload is larger than the %d bytes allowed", limit)
}

// checkQuota serializes the user's uploads until tx ends and refuses size
// more bytes past the quota.
func (s *Service) checkQuota(ctx context.Context, tx pgx.Tx, user id.UserID, size int64) error {
	if s.cfg.UserQuotaBytes == 0 || user == "" {
		return nil
	}
	if err := s.q.MediaLockUser(ctx, tx, string(user)); err != nil {
		return err
	}
	used, err := s.q.MediaUserUsage(ctx, tx, user)
	if err != nil {
		return err
	}
	if used+size > s.cfg.UserQuotaBytes {
		return mxerr.New(mxerr.Forbidden, "media quota exceeded: %d of %d bytes used", used, s.cfg.UserQuotaBytes)
	}
	return nil
}

// enqueueThumbnails adds the thumbnail job of an upload that looks like an
// image, by its declared type or its first bytes.
func (s *Service) enqueueThumbnails(ctx context.Context, tx pgx.Tx, uri id.ContentURI, contentType string, blob Blob) error {
	if len(s.cfg.Thumbnails.Sizes) == 0 || s.jobs == nil {
		return nil
	}
	if !thumbnailable(contentType) && !thumbnailable(http.DetectContentType(blob.Head)) {
		return nil
	}
	return s.jobs.InsertTx(ctx, tx, thumbnailArgs{Origin: uri.Homeserver, MediaID: uri.FileID}, nil)
}

func uploadError(err error) error {
	if mxerr.As(err) != nil {
		return err
	}
	return mxerr.Wrap(err, mxerr.Unknown, "store upload")
}

// normalizeContentType keeps a well-formed media type (lower-cased, with
// its parameters) and makes anything else application/octet-stream.
func normalizeContentType(ct string) string {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || !strings.Contains(mt, "/") {
		return "application/octet-stream"
	}
	if out := mime.FormatMediaType(mt, params); out != "" {
		return out
	}
	return "application/octet-stream"
}

func fileNamePtr(name string) *string {
	name = SanitizeFileName(name)
	if name == "" {
		return nil
	}
	return &name
}
