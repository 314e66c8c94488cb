package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"strconv"

	"github.com/riverqueue/river"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
)

// ThumbnailRequest asks for a thumbnail of the media of Request.
type ThumbnailRequest struct {
	Request
	Width, Height int
	// Method is crop or scale; empty means scale.
	Method string
	// Animated asks for an animated thumbnail of animated media.
	Animated bool
}

// Thumbnail returns a thumbnail of r's media: the stored one of the
// smallest configured box at least as large as asked (v1.19 client-server,
// Thumbnails), made on demand and stored when the upload's job has not made
// it yet, or one of the asked size when no configured box is large enough.
// It is never larger than the original. It answers M_INVALID_PARAM for
// sizes that make no sense, 400 M_UNKNOWN for content it cannot thumbnail,
// M_TOO_LARGE for images too large to decode, and as Download otherwise.
func (s *Service) Thumbnail(ctx context.Context, r ThumbnailRequest) (Content, error) {
	if r.Method == "" {
		r.Method = MethodScale
	}
	if r.Width < 1 || r.Height < 1 || (r.Method != MethodCrop && r.Method != MethodScale) {
		return Content{}, mxerr.New(mxerr.InvalidParam, "width and height must be positive and method crop or scale")
	}
	m, err := s.uploaded(ctx, r.Request)
	if err != nil {
		return Content{}, err
	}
	b := s.chooseBox(r.Width, r.Height, r.Method)
	t, err := s.storedThumbnail(ctx, m, b, r.Animated)
	if err != nil {
		return Content{}, err
	}
	f, err := s.open(ctx, t.Sha256)
	if err != nil {
		return Content{}, err
	}
	return Content{
		ContentType: t.ContentType,
		Disposition: ContentDisposition(t.ContentType, "thumbnail"+extension(t.ContentType)),
		Size:        f.Size(),
		ModTime:     t.CreatedAt,
		Body:        f,
	}, nil
}

// chooseBox picks the box to serve for a w×h request by method: the
// smallest configured box of that method covering w×h, else (dynamic
// thumbnails on) w×h itself within MaxDynamicSide, else the largest
// configured box.
func (s *Service) chooseBox(w, h int, method string) box {
	var best, largest *ThumbnailSize
	for i, c := range s.cfg.Thumbnails.Sizes {
		if c.Method != method {
			continue
		}
		if c.Width >= w && c.Height >= h && (best == nil || c.Width*c.Height < best.Width*best.Height) {
			best = &s.cfg.Thumbnails.Sizes[i]
		}
		if largest == nil || c.Width*c.Height > largest.Width*largest.Height {
			largest = &s.cfg.Thumbnails.Sizes[i]
		}
	}
	switch {
	case best != nil:
		return box{best.Width, best.Height, method}
	case s.cfg.Thumbnails.Dynamic || largest == nil:
		side := s.cfg.Thumbnails.MaxDynamicSide
		return box{min(w, side), min(h, side), method}
	default:
		return box{largest.Width, largest.Height, method}
	}
}

// storedThumbnail returns the stored thumbnail of m for b, making and
// storing it first when there is none. Concurrent requests for the same
// missing thumbnail make it once.
func (s *Service) storedThumbnail(ctx context.Context, m db.Medium, b box, animated bool) (db.MediaThumbnail, error) {
	if t, ok, err := s.findThumbnail(ctx, m, b, animated); err != nil || ok {
		return t, err
	}
	key := fmt.Sprintf("%s/%s/%dx%d/%s/%t", m.Origin, m.MediaID, b.W, b.H, b.Method, animated)
	_, err, _ := s.making.Do(key, func() (any, error) {
		return nil, s.makeThumbnails(context.WithoutCancel(ctx), m, []box{b}, animated)
	})
	switch {
	case errors.Is(err, errNotImage):
		return db.MediaThumbnail{}, mxerr.New(mxerr.Unknown, "cannot generate thumbnails for the requested content").WithStatus(400)
	case errors.Is(err, errTooManyPixels):
		return db.MediaThumbnail{}, mxerr.New(mxerr.TooLarge, "content is too large to thumbnail")
	case err != nil:
		return db.MediaThumbnail{}, mxerr.Wrap(err, mxerr.Unknown, "make thumbnail")
	}
	t, ok, err := s.findThumbnail(ctx, m, b, animated)
	if err == nil && !ok {
		err = mxerr.New(mxerr.Unknown, "thumbnail vanished")
	}
	return t, err
}

func (s *Service) findThumbnail(ctx context.Context, m db.Medium, b box, animated bool) (db.MediaThumbnail, bool, error) {
	list, err := s.q.ThumbnailList(ctx, s.pool, db.ThumbnailListParams{Origin: m.Origin, MediaID: m.MediaID})
	if err != nil {
		return db.MediaThumbnail{}, false, mxerr.Wrap(err, mxerr.Unknown, "list thumbnails")
	}
	for _, t := range list {
		if int(t.Width) == b.W && int(t.Height) == b.H && t.Method == b.Method && t.Animated == animated {
			return t, true, nil
		}
	}
	return db.MediaThumbnail{}, false, nil
}

// makeThumbnails decodes m once and stores a thumbnail for each box. With
// animated set, an animated GIF gets animated thumbnails; anything else
// gets still ones, stored under both keys so the next animated request
// finds them.
func (s *Service) makeThumbnails(ctx context.Context, m db.Medium, boxes []box, animated bool) error {
	f, err := s.store.Open(ctx, *m.Sha256)
	if err != nil {
		return err
	}
	defer f.Close()
	src, err := decode(f, s.cfg.Thumbnails.MaxSourcePixels, animated)
	if err != nil {
		return err
	}
	if src.anim != nil && len(src.anim.Image) > s.cfg.Thumbnails.MaxAnimatedFrames {
		src.anim = nil // too long to re-encode: a still thumbnail instead
	}
	if src.anim == nil {
		// One conversion for every box: each render then only shrinks.
		src.img = toRGBA(src.img)
	}
	for _, b := range boxes {
		p := planFor(src.w, src.h, b)
		var data []byte
		var contentType, sha string
		switch {
		case src.anim != nil && p.identity(src.w, src.h):
			sha, contentType = *m.Sha256, "image/gif" // the original is the thumbnail
		case src.anim != nil:
			if data, err = renderAnimated(src.anim, src.w, src.h, p); err != nil {
				return err
			}
			contentType = "image/gif"
		case src.format == "jpeg" && p.identity(src.w, src.h):
			// A still JPEG no larger than the box: serve the original.
			sha, contentType = *m.Sha256, "image/jpeg"
		default:
			if data, contentType, err = encodeStill(render(src.img, p), src.format, s.cfg.Thumbnails.JPEGQuality); err != nil {
				return err
			}
		}
		size := int64(len(data))
		if sha == "" {
			blob, err := s.store.Put(ctx, bytes.NewReader(data), size)
			if err != nil {
				return err
			}
			sha = blob.SHA256
		} else {
			size = derefInt(m.Size)
		}
		keys := []bool{animated}
		if animated && src.anim == nil {
			keys = []bool{false, true}
		}
		for _, anim := range keys {
			err := s.q.ThumbnailUpsert(ctx, s.pool, db.ThumbnailUpsertParams{
				Origin: m.Origin, MediaID: m.MediaID, Width: int32(b.W), Height: int32(b.H), Method: b.Method,
				Animated: anim, ActualWidth: int32(p.dw), ActualHeight: int32(p.dh),
				ContentType: contentType, Size: size, Sha256: sha,
			})
			if err != nil {
				return fmt.Errorf("store thumbnail: %w", err)
			}
		}
	}
	return nil
}

// thumbnailArgs is the job that makes the configured thumbnails of an
// upload.
type thumbnailArgs struct {
	Origin  string `json:"origin"`
	MediaID string `json:"media_id"`
}

// Kind implements river.JobArgs.
func (thumbnailArgs) Kind() string { return "media.thumbnails" }

type thumbnailWorker struct {
	river.WorkerDefaults[thumbnailArgs]
	s *Service
}

// Work makes every configured thumbnail of the job's media. It is
// idempotent: a retry overwrites what an earlier attempt stored.
func (w *thumbnailWorker) Work(ctx context.Context, job *river.Job[thumbnailArgs]) error {
	s := w.s
	m, err := s.q.MediaGet(ctx, s.pool, db.MediaGetParams{Origin: job.Args.Origin, MediaID: job.Args.MediaID})
	if err != nil {
		if pg.IsNoRows(err) {
			return nil // deleted since
		}
		return err
	}
	if m.Sha256 == nil {
		return nil
	}
	boxes := make([]box, len(s.cfg.Thumbnails.Sizes))
	for i, c := range s.cfg.Thumbnails.Sizes {
		boxes[i] = box{c.Width, c.Height, c.Method}
	}
	err = s.makeThumbnails(ctx, m, boxes, false)
	if errors.Is(err, errNotImage) || errors.Is(err, errTooManyPixels) {
		s.log.DebugContext(ctx, "no thumbnails for media", "media_id", m.MediaID, "job_id", job.ID, "err", err)
		return nil
	}
	return err
}

func extension(contentType string) string {
	switch contentType {
	case "image/jpeg":
		return ".jpg"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	}
	return ".png"
}

func derefInt(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// String reports a thumbnail's box as "W×H method", for logs.
func (b box) String() string { return strconv.Itoa(b.W) + "x" + strconv.Itoa(b.H) + " " + b.Method }
