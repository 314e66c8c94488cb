package clientapi

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/media"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// defaultMediaTimeout is timeout_ms when the client gives none (v1.19).
const defaultMediaTimeout = 20 * time.Second

// mediaCSP keeps served media from running anything in the server's
// origin, should a browser open it (v1.19 client-server, Content
// Repository, Security considerations; Synapse's policy).
const mediaCSP = "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; " +
	"style-src 'unsafe-inline'; media-src 'self'; object-src 'self';"

// mediaOperations are the operations whose body is an upload: the HTTP
// server reads them up to the media limit instead of the JSON one.
var mediaOperations = []string{"uploadContent", "uploadContentToMXC"}

// GetConfigAuthed serves GET /_matrix/client/v1/media/config.
func (s *Server) GetConfigAuthed(context.Context, api.GetConfigAuthedRequestObject) (api.GetConfigAuthedResponseObject, error) {
	return api.GetConfigAuthed200JSONResponse{MUploadSize: ptr(s.media.MaxUploadBytes())}, nil
}

// UploadContent serves POST /_matrix/media/v3/upload.
func (s *Server) UploadContent(ctx context.Context, r api.UploadContentRequestObject) (api.UploadContentResponseObject, error) {
	uri, err := s.media.Upload(ctx, media.Upload{
		Uploader:    accounts.Caller(ctx).UserID,
		ContentType: deref(r.Params.ContentType),
		FileName:    deref(r.Params.Filename),
		Body:        r.Body,
		Length:      -1, // a declared Content-Length was checked by the HTTP server
	})
	if err != nil {
		return nil, err
	}
	return api.UploadContent200JSONResponse{ContentUri: uri.String()}, nil
}

// CreateContent serves POST /_matrix/media/v1/create.
func (s *Server) CreateContent(ctx context.Context, _ api.CreateContentRequestObject) (api.CreateContentResponseObject, error) {
	uri, expires, err := s.media.Create(ctx, accounts.Caller(ctx).UserID)
	if err != nil {
		return nil, err
	}
	return api.CreateContent200JSONResponse{ContentUri: uri.String(), UnusedExpiresAt: ptr(expires.UnixMilli())}, nil
}

// UploadContentToMXC serves PUT /_matrix/media/v3/upload/{serverName}/{mediaId}.
func (s *Server) UploadContentToMXC(ctx context.Context, r api.UploadContentToMXCRequestObject) (api.UploadContentToMXCResponseObject, error) {
	uri, err := contentURI(r.ServerName, r.MediaId)
	if err != nil {
		return nil, err
	}
	err = s.media.UploadTo(ctx, uri, media.Upload{
		Uploader:    accounts.Caller(ctx).UserID,
		ContentType: deref(r.Params.ContentType),
		FileName:    deref(r.Params.Filename),
		Body:        r.Body,
		Length:      -1,
	})
	if err != nil {
		return nil, err
	}
	return api.UploadContentToMXC200JSONResponse{}, nil
}

// GetContentAuthed serves GET /_matrix/client/v1/media/download/{serverName}/{mediaId}.
func (s *Server) GetContentAuthed(ctx context.Context, r api.GetContentAuthedRequestObject) (api.GetContentAuthedResponseObject, error) {
	c, err := s.download(ctx, r.ServerName, r.MediaId, r.Params.TimeoutMs, "", false, false)
	if err != nil {
		return nil, err
	}
	return mediaResponse{c, "private"}, nil
}

// GetContentOverrideNameAuthed serves GET /_matrix/client/v1/media/download/{serverName}/{mediaId}/{fileName}.
func (s *Server) GetContentOverrideNameAuthed(ctx context.Context, r api.GetContentOverrideNameAuthedRequestObject) (api.GetContentOverrideNameAuthedResponseObject, error) {
	c, err := s.download(ctx, r.ServerName, r.MediaId, r.Params.TimeoutMs, r.FileName, false, false)
	if err != nil {
		return nil, err
	}
	return mediaResponse{c, "private"}, nil
}

// GetContentThumbnailAuthed serves GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}.
func (s *Server) GetContentThumbnailAuthed(ctx context.Context, r api.GetContentThumbnailAuthedRequestObject) (api.GetContentThumbnailAuthedResponseObject, error) {
	p := r.Params
	c, err := s.thumbnail(ctx, r.ServerName, r.MediaId, p.Width, p.Height, (*string)(p.Method), p.TimeoutMs, p.Animated, false, false)
	if err != nil {
		return nil, err
	}
	return mediaResponse{c, "private"}, nil
}

// GetUrlPreviewAuthed serves GET /_matrix/client/v1/media/preview_url.
func (s *Server) GetUrlPreviewAuthed(ctx context.Context, r api.GetUrlPreviewAuthedRequestObject) (api.GetUrlPreviewAuthedResponseObject, error) {
	og, err := s.media.Preview(ctx, accounts.Caller(ctx).UserID, r.Params.Url, deref(r.Params.Ts))
	if err != nil {
		return nil, err
	}
	out := api.GetUrlPreviewAuthed200JSONResponse{AdditionalProperties: og}
	out.OgImage, out.MatrixImageSize = previewImage(og)
	return out, nil
}

// previewImage moves the two typed properties out of og.
func previewImage(og map[string]any) (*string, *int64) {
	var img *string
	var size *int64
	if v, ok := og["og:image"].(string); ok {
		img = &v
		delete(og, "og:image")
	}
	switch v := og["matrix:image:size"].(type) {
	case int64:
		size = &v
	case float64: // from the cache's JSON
		size = ptr(int64(v))
	}
	delete(og, "matrix:image:size")
	return img, size
}

func contentURI(serverName, mediaID string) (id.ContentURI, error) {
	server, err := mxid.ParseServerName(serverName)
	if err != nil {
		return id.ContentURI{}, err
	}
	m, err := mxid.ParseMediaID(mediaID)
	if err != nil {
		return id.ContentURI{}, err
	}
	return id.ContentURI{Homeserver: server, FileID: m}, nil
}

func (s *Server) mediaRequest(serverName, mediaID string, timeoutMs *int64, unauthenticated, noRemote bool) (media.Request, error) {
	uri, err := contentURI(serverName, mediaID)
	if err != nil {
		return media.Request{}, err
	}
	wait := defaultMediaTimeout
	if timeoutMs != nil {
		wait = time.Duration(*timeoutMs) * time.Millisecond
	}
	return media.Request{Origin: uri.Homeserver, MediaID: uri.FileID, Wait: wait, Unauthenticated: unauthenticated, NoRemote: noRemote}, nil
}

func (s *Server) download(ctx context.Context, serverName, mediaID string, timeoutMs *int64, fileName string, unauthenticated, noRemote bool) (media.Content, error) {
	req, err := s.mediaRequest(serverName, mediaID, timeoutMs, unauthenticated, noRemote)
	if err != nil {
		return media.Content{}, err
	}
	return s.media.Download(ctx, req, fileName)
}

func (s *Server) thumbnail(ctx context.Context, serverName, mediaID string, width, height int, method *string, timeoutMs *int64, animated *bool, unauthenticated, noRemote bool) (media.Content, error) {
	req, err := s.mediaRequest(serverName, mediaID, timeoutMs, unauthenticated, noRemote)
	if err != nil {
		return media.Content{}, err
	}
	return s.media.Thumbnail(ctx, media.ThumbnailRequest{
		Request: req, Width: width, Height: height, Method: deref(method), Animated: deref(animated),
	})
}

// mediaResponse streams media with the headers every media answer carries.
// It is the 200 answer of every download and thumbnail operation; the
// generated ones cannot carry the security headers.
type mediaResponse struct {
	c media.Content
	// cache is the Cache-Control visibility: private behind
	// authentication, public on the legacy endpoints.
	cache string
}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

func (r mediaResponse) visit(w http.ResponseWriter) error {
	defer r.c.Body.Close()
	h := w.Header()
	h.Set("Content-Type", r.c.ContentType)
	h.Set("Content-Disposition", r.c.Disposition)
	h.Set("Content-Length", strconv.FormatInt(r.c.Size, 10))
	h.Set("Content-Security-Policy", mediaCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Set("Cache-Control", r.cache+", max-age=86400")
	h.Set("Last-Modified", r.c.ModTime.UTC().Format(http.TimeFormat))
	w.WriteHeader(http.StatusOK)
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	// Through our buffer: a file's WriteTo would fall back to 32 KiB copies.
	_, err := io.CopyBuffer(w, struct{ io.Reader }{r.c.Body}, *buf)
	return err
}

func (r mediaResponse) VisitGetContentAuthedResponse(w http.ResponseWriter) error { return r.visit(w) }
func (r mediaResponse) VisitGetContentOverrideNameAuthedResponse(w http.ResponseWriter) error {
	return r.visit(w)
}
func (r mediaResponse) VisitGetContentThumbnailAuthedResponse(w http.ResponseWriter) error {
	return r.visit(w)
}
func (r mediaResponse) VisitGetContentResponse(w http.ResponseWriter) error { return r.visit(w) }
func (r mediaResponse) VisitGetContentOverrideNameResponse(w http.ResponseWriter) error {
	return r.visit(w)
}
func (r mediaResponse) VisitGetContentThumbnailResponse(w http.ResponseWriter) error {
	return r.visit(w)
}
