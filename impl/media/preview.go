package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/netguard"
	"github.com/hearth-hs/hearth/impl/pg"
)

// maxPreviewURL bounds the URLs previewed.
const maxPreviewURL = 2048

// previewer fetches pages for preview_url through a client that can only
// reach allowed addresses (impl/netguard).
type previewer struct {
	cfg    PreviewConfig
	client *http.Client
}

func newPreviewer(cfg PreviewConfig) (*previewer, error) {
	guard, err := netguard.New(cfg.AllowCIDRs, cfg.DenyCIDRs)
	if err != nil {
		return nil, fmt.Errorf("media.url_preview: %w", err)
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: guard.Control}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would dial for us, past the guard
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConns:          16,
		IdleConnTimeout:       30 * time.Second,
	}
	client := &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > cfg.MaxRedirects {
				return fmt.Errorf("more than %d redirects", cfg.MaxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to a %q URL", req.URL.Scheme)
			}
			return nil // the new address is checked when dialled
		},
	}
	return &previewer{cfg: cfg, client: client}, nil
}

// Preview returns the OpenGraph data of rawURL for user (GET
// /_matrix/client/v1/media/preview_url): from the cache when a preview of
// the same URL was made in the time bucket of ts (Unix ms, 0 for now) or of
// now, else fetched, with its og:image stored as local media. It answers
// M_UNRECOGNIZED when previews are off, M_INVALID_PARAM for URLs that are
// not http(s), M_FORBIDDEN for URLs that resolve to non-public addresses
// (at any redirect), and 502 M_UNKNOWN when the page cannot be had.
func (s *Service) Preview(ctx context.Context, user id.UserID, rawURL string, ts int64) (map[string]any, error) {
	if !s.cfg.URLPreview.Enabled {
		return nil, mxerr.New(mxerr.Unrecognized, "URL previews are disabled on this server")
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(rawURL) > maxPreviewURL {
		return nil, mxerr.New(mxerr.InvalidParam, "url: want an http(s) URL")
	}
	u.Fragment, u.RawFragment = "", ""
	key := u.String()
	now := s.now()
	bucketOf := func(t time.Time) int64 { return t.UnixMilli() / s.cfg.URLPreview.CacheFor.Milliseconds() }
	buckets := []int64{bucketOf(now)}
	if ts > 0 && bucketOf(time.UnixMilli(ts)) != buckets[0] {
		buckets = append([]int64{bucketOf(time.UnixMilli(ts))}, buckets...)
	}
	for _, b := range buckets {
		raw, err := s.q.PreviewGet(ctx, s.pool, db.PreviewGetParams{Url: key, Bucket: b})
		if err == nil {
			var og map[string]any
			if json.Unmarshal(raw, &og) == nil {
				return og, nil
			}
		} else if !pg.IsNoRows(err) {
			return nil, mxerr.Wrap(err, mxerr.Unknown, "read preview cache")
		}
	}
	og, err := s.fetchPreview(ctx, u)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(og)
	if err != nil {
		return nil, mxerr.Wrap(err, mxerr.Unknown, "encode preview")
	}
	if err := s.q.PreviewPut(ctx, s.pool, db.PreviewPutParams{Url: key, Bucket: buckets[len(buckets)-1], Og: raw, FetchedAt: now}); err != nil {
		return nil, mxerr.Wrap(err, mxerr.Unknown, "cache preview")
	}
	return og, nil
}

func (s *Service) fetchPreview(ctx context.Context, u *url.URL) (map[string]any, error) {
	cfg := s.cfg.URLPreview
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	resp, err := s.preview.get(ctx, u.String(), "text/html,application/xhtml+xml,image/*;q=0.9,*/*;q=0.5")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case strings.HasPrefix(mt, "image/"):
		og := map[string]any{}
		if err := s.previewImage(ctx, resp, og); err != nil {
			return nil, err
		}
		return og, nil
	case mt == "text/html" || mt == "application/xhtml+xml":
		body, err := charset.NewReader(io.LimitReader(resp.Body, cfg.MaxPageBytes), resp.Header.Get("Content-Type"))
		if err != nil {
			body = io.LimitReader(resp.Body, cfg.MaxPageBytes)
		}
		og := parseOpenGraph(body)
		if img, ok := og["og:image"].(string); ok {
			delete(og, "og:image")
			if ref, err := resp.Request.URL.Parse(img); err == nil && (ref.Scheme == "http" || ref.Scheme == "https") {
				// A page whose image cannot be had still has a preview.
				if ir, err := s.preview.get(ctx, ref.String(), "image/*"); err == nil {
					_ = s.previewImage(ctx, ir, og)
					ir.Body.Close()
				}
			}
		}
		return og, nil
	default:
		return map[string]any{}, nil // nothing to read: an empty preview
	}
}

// get fetches rawURL through the guarded client, answering Matrix errors.
func (p *previewer) get(ctx context.Context, rawURL, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, mxerr.New(mxerr.InvalidParam, "url: want an http(s) URL")
	}
	req.Header.Set("User-Agent", p.cfg.UserAgent)
	req.Header.Set("Accept", accept)
	resp, err := p.client.Do(req)
	switch {
	case errors.Is(err, netguard.ErrForbidden):
		return nil, mxerr.Wrap(err, mxerr.Forbidden, "URL is not allowed to be previewed")
	case err != nil:
		return nil, mxerr.Wrap(err, mxerr.Unknown, "could not fetch the URL").WithStatus(http.StatusBadGateway)
	case resp.StatusCode != http.StatusOK:
		resp.Body.Close()
		return nil, mxerr.New(mxerr.Unknown, "the URL answered %d", resp.StatusCode).WithStatus(http.StatusBadGateway)
	}
	return resp, nil
}

// previewImage stores an image response as server-owned media and puts its
// mxc URI, type, size and dimensions in og.
func (s *Service) previewImage(ctx context.Context, resp *http.Response, og map[string]any) error {
	blob, err := s.store.Put(ctx, resp.Body, s.cfg.URLPreview.MaxImageBytes)
	if err != nil {
		return mxerr.Wrap(err, mxerr.Unknown, "store preview image").WithStatus(http.StatusBadGateway)
	}
	f, err := s.store.Open(ctx, blob.SHA256)
	if err != nil {
		return mxerr.Wrap(err, mxerr.Unknown, "read preview image")
	}
	cfg, format, err := image.DecodeConfig(f)
	f.Close()
	if err != nil {
		return nil // not an image after all: no og:image
	}
	contentType := "image/" + format
	uri := id.ContentURI{Homeserver: s.serverName, FileID: mxid.NewMediaID()}
	now := s.now()
	err = s.q.MediaInsert(ctx, s.pool, db.MediaInsertParams{
		Origin: uri.Homeserver, MediaID: uri.FileID, ContentType: contentType,
		Size: &blob.Size, Sha256: &blob.SHA256, CreatedAt: now, UploadedAt: &now,
		Restricted: !s.cfg.LegacyUnauthenticatedMedia,
	})
	if err != nil {
		return mxerr.Wrap(err, mxerr.Unknown, "store preview image")
	}
	og["og:image"] = uri.String()
	og["og:image:type"] = contentType
	og["og:image:width"] = cfg.Width
	og["og:image:height"] = cfg.Height
	og["matrix:image:size"] = blob.Size
	return nil
}
