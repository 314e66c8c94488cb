package media

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
)

// This file holds what server admins do with media (impl/admin calls it):
// list a user's uploads, delete media with its bytes, quarantine media so
// that it is no longer served, and usage per user.

// Remover is a Store that can delete content. The local store is one; a
// store that is not keeps the bytes of deleted media.
type Remover interface {
	Remove(ctx context.Context, sha256 string) error
}

// Remove implements [Remover]; content already gone is not an error.
func (s *LocalStore) Remove(_ context.Context, hash string) error {
	if len(hash) < 4 {
		return fmt.Errorf("media store: bad hash %q", hash)
	}
	if err := os.Remove(s.path(hash)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media store: %w", err)
	}
	return nil
}

// Item is one media item as the admin API lists it.
type Item struct {
	MediaID       string
	ContentType   string
	Size          *int64 // nil while a reserved ID waits for its upload
	FileName      *string
	CreatedAt     time.Time
	QuarantinedBy *string
}

// Page asks for a page of a listing: Limit items from Offset, ordered by
// OrderBy (the listing's Synapse column name), Descending or not.
type Page struct {
	Offset, Limit int
	OrderBy       string
	Descending    bool
}

// UserMedia lists the media a local user uploaded (or reserved), and how
// many there are in all.
func (s *Service) UserMedia(ctx context.Context, user id.UserID, p Page) ([]Item, int64, error) {
	rows, err := s.q.MediaListByUser(ctx, s.pool, db.MediaListByUserParams{
		Origin: s.serverName, UserID: user, Descending: p.Descending, OrderBy: p.OrderBy,
		Off: int32(p.Offset), Lim: int32(p.Limit),
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list media of %s: %w", user, err)
	}
	out := make([]Item, len(rows))
	var total int64
	for i, r := range rows {
		out[i] = Item{MediaID: r.MediaID, ContentType: r.ContentType, Size: r.Size, FileName: r.FileName,
			CreatedAt: r.CreatedAt, QuarantinedBy: r.QuarantinedBy}
		total = r.Total
	}
	if len(rows) == 0 && p.Offset > 0 {
		_, total, err = s.UserMedia(ctx, user, Page{Limit: 1, OrderBy: p.OrderBy})
	}
	return out, total, err
}

var errNotLocal = mxerr.New(mxerr.InvalidParam, "only local media can be changed here")

// Delete deletes local media: its row, its thumbnails and, when nothing
// else uses them any more, their bytes. It reports whether there was such
// media.
func (s *Service) Delete(ctx context.Context, origin, mediaID string) (bool, error) {
	if origin != s.serverName {
		return false, errNotLocal
	}
	var gone db.MediaDeleteRow
	var unused []string
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		gone, err = s.q.MediaDelete(ctx, tx, db.MediaDeleteParams{Origin: origin, MediaID: mediaID})
		if err != nil {
			return fmt.Errorf("delete media %s: %w", mediaID, err)
		}
		inUse, err := s.q.MediaHashesInUse(ctx, tx, gone.Hashes)
		if err != nil {
			return fmt.Errorf("check media content in use: %w", err)
		}
		unused = unused[:0]
		for _, h := range gone.Hashes {
			if !contains(inUse, h) {
				unused = append(unused, h)
			}
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	if rm, ok := s.store.(Remover); ok {
		for _, h := range unused {
			if err := rm.Remove(ctx, h); err != nil {
				s.log.WarnContext(ctx, "remove deleted media content", "sha256", h, "err", err)
			}
		}
	}
	return gone.Deleted > 0, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// SetQuarantined quarantines local media on behalf of by (a quarantined
// item is kept but answers 404 to downloads and thumbnails), or lifts the
// quarantine when by is nil. Unknown media is M_NOT_FOUND.
func (s *Service) SetQuarantined(ctx context.Context, origin, mediaID string, by *id.UserID) error {
	var who *string
	if by != nil {
		w := string(*by)
		who = &w
	}
	n, err := s.q.MediaSetQuarantined(ctx, s.pool, db.MediaSetQuarantinedParams{Origin: origin, MediaID: mediaID, QuarantinedBy: who})
	if err != nil {
		return fmt.Errorf("quarantine media %s: %w", mediaID, err)
	}
	if n == 0 {
		return errNotFound
	}
	return nil
}

// Usage is how much a user uploaded.
type Usage struct {
	UserID id.UserID
	Count  int64
	Bytes  int64
}

// UsageByUser lists local uploaders whose user ID contains search (all of
// them when empty) with their counts, and how many there are in all.
// OrderBy is user_id, media_count or media_length.
func (s *Service) UsageByUser(ctx context.Context, search string, p Page) ([]Usage, int64, error) {
	rows, err := s.q.MediaUsageByUser(ctx, s.pool, db.MediaUsageByUserParams{
		Origin: s.serverName, Search: search, Descending: p.Descending, OrderBy: p.OrderBy,
		Off: int32(p.Offset), Lim: int32(p.Limit),
	})
	if err != nil {
		return nil, 0, fmt.Errorf("media usage by user: %w", err)
	}
	out := make([]Usage, len(rows))
	var total int64
	for i, r := range rows {
		out[i] = Usage{UserID: r.UserID, Count: r.MediaCount, Bytes: r.MediaLength}
		total = r.Total
	}
	if len(rows) == 0 && p.Offset > 0 {
		_, total, err = s.UsageByUser(ctx, search, Page{Limit: 1, OrderBy: p.OrderBy})
	}
	return out, total, err
}
