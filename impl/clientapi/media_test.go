package clientapi_test

import (
	"bytes"
	"fmt"
	"image/gif"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

const (
	v1Media     = "/_matrix/client/v1/media"
	legacyMedia = "/_matrix/media/v3"
)

func TestMediaUploadAndDownload(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	img := pngBytes(t, 64, 48)
	uri := upload(t, s, alice.AccessToken, "image/png", "cat picture.png", img)

	t.Run("the same bytes and type come back, with the safety headers", func(t *testing.T) {
		t.Parallel()
		r := get(t, s, v1Media+"/download/"+mxcPath(uri), alice.AccessToken)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		require.Equal(t, img, r.Raw)
		require.Equal(t, "image/png", r.Header.Get("Content-Type"))
		require.Equal(t, `inline; filename="cat picture.png"`, r.Header.Get("Content-Disposition"))
		require.Contains(t, r.Header.Get("Content-Security-Policy"), "sandbox; default-src 'none'; script-src 'none'")
		require.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"))
		require.Equal(t, "cross-origin", r.Header.Get("Cross-Origin-Resource-Policy"))
	})
	t.Run("another user may download it", func(t *testing.T) {
		t.Parallel()
		bob := s.Register(t, "bob", "builder123")
		r := get(t, s, v1Media+"/download/"+mxcPath(uri), bob.AccessToken)
		require.Equal(t, img, r.Raw)
	})
	t.Run("the file name can be overridden, non-ASCII encoded per RFC 5987", func(t *testing.T) {
		t.Parallel()
		r := get(t, s, v1Media+"/download/"+mxcPath(uri)+"/ch%C3%A2t.png", alice.AccessToken)
		require.Equal(t, img, r.Raw)
		require.Equal(t, "inline; filename*=utf-8''ch%C3%A2t.png", r.Header.Get("Content-Disposition"))
	})
	t.Run("the authenticated endpoints need a token", func(t *testing.T) {
		t.Parallel()
		r := get(t, s, v1Media+"/download/"+mxcPath(uri), "")
		require.Equal(t, http.StatusUnauthorized, r.Status)
		require.Equal(t, "M_MISSING_TOKEN", r.Errcode())
	})
	t.Run("the legacy endpoints do not serve new media", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{"/download/" + mxcPath(uri), "/download/" + mxcPath(uri) + "/x.png", "/thumbnail/" + mxcPath(uri) + "?width=32&height=32"} {
			r := get(t, s, legacyMedia+path, "")
			require.Equal(t, http.StatusNotFound, r.Status, path)
			require.Equal(t, "M_NOT_FOUND", r.Errcode(), path)
		}
	})
	t.Run("config announces the upload limit on both paths", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{v1Media + "/config", legacyMedia + "/config"} {
			r := get(t, s, path, alice.AccessToken)
			require.Equal(t, http.StatusOK, r.Status)
			require.EqualValues(t, 50<<20, r.Body["m.upload.size"])
		}
	})
	t.Run("identical uploads are stored once", func(t *testing.T) {
		t.Parallel()
		again := upload(t, s, alice.AccessToken, "image/png", "", img)
		require.NotEqual(t, uri, again)
		var hashes int
		require.NoError(t, s.App.Pool.QueryRow(t.Context(),
			"SELECT count(DISTINCT sha256) FROM media WHERE media_id IN ($1, $2)",
			uri[strings.LastIndexByte(uri, '/')+1:], again[strings.LastIndexByte(again, '/')+1:]).Scan(&hashes))
		require.Equal(t, 1, hashes)
	})
}

func TestMediaDispositionAndTypes(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	for _, tc := range []struct {
		name, contentType, fileName, wantType, wantDisposition string
	}{
		{"html is an attachment", "text/html", "page.html", "text/html", `attachment; filename="page.html"`},
		{"svg is an attachment", "image/svg+xml", "x.svg", "image/svg+xml", `attachment; filename="x.svg"`},
		{"plain text is inline", "text/plain; charset=utf-8", "", "text/plain; charset=utf-8", "inline"},
		{"a malformed type is octet-stream", "nonsense", "", "application/octet-stream", "attachment"},
		{"a path in the file name is dropped", "application/pdf", `../../etc/passwd`, "application/pdf", `attachment; filename="passwd"`},
		{"quotes and control characters are dropped", "application/pdf", "a\"b\r\nc.pdf", "application/pdf", `attachment; filename="abc.pdf"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := []byte("<script>alert(1)</script>")
			path := "/_matrix/media/v3/upload"
			if tc.fileName != "" {
				path += "?filename=" + urlQueryEscape(tc.fileName)
			}
			h := http.Header{"Content-Type": {tc.contentType}}
			r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: path, Token: alice.AccessToken, Body: body, Header: h})
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
			uri := r.Body["content_uri"].(string)
			r = get(t, s, v1Media+"/download/"+mxcPath(uri), alice.AccessToken)
			require.Equal(t, body, r.Raw)
			require.Equal(t, tc.wantType, r.Header.Get("Content-Type"))
			require.Equal(t, tc.wantDisposition, r.Header.Get("Content-Disposition"))
			require.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"))
		})
	}
}

func TestLegacyMediaWhenEnabled(t *testing.T) {
	t.Parallel()
	cfg := servertest.Config(t)
	cfg.Media.LegacyUnauthenticatedMedia = true
	s := servertest.Start(t, cfg)
	alice := s.Register(t, "alice", "wonderland1")
	img := pngBytes(t, 40, 30)
	uri := upload(t, s, alice.AccessToken, "image/png", "a.png", img)

	r := get(t, s, legacyMedia+"/download/"+mxcPath(uri), "")
	require.Equal(t, img, r.Raw)
	require.Equal(t, "public, max-age=86400", r.Header.Get("Cache-Control"))
	r = get(t, s, legacyMedia+"/download/"+mxcPath(uri)+"/b.png?allow_remote=false", "")
	require.Equal(t, `inline; filename="b.png"`, r.Header.Get("Content-Disposition"))
	thumb, _ := decodeImage(t, get(t, s, legacyMedia+"/thumbnail/"+mxcPath(uri)+"?width=32&height=32&method=crop", ""))
	require.Equal(t, 30, thumb.Bounds().Dy(), "never larger than the original")

	// The freeze: media from before the switch was turned off stays
	// served, media after it is not.
	cfg.Media.LegacyUnauthenticatedMedia = false
	s2 := servertest.Start(t, cfg)
	r = get(t, s2, legacyMedia+"/download/"+mxcPath(uri), "")
	require.Equal(t, img, r.Raw)
	newer := upload(t, s2, alice.AccessToken, "image/png", "", img)
	r = get(t, s2, legacyMedia+"/download/"+mxcPath(newer), "")
	require.Equal(t, "M_NOT_FOUND", r.Errcode())
}

func TestMediaBadInput(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) {
		c.Media.MaxUploadBytes = 100 << 10
	}))
	alice := s.Register(t, "alice", "wonderland1")
	big := make([]byte, 100<<10+1)

	t.Run("too large with a Content-Length", func(t *testing.T) {
		t.Parallel()
		r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/media/v3/upload", Token: alice.AccessToken,
			Body: big, Header: http.Header{"Content-Type": {"application/octet-stream"}}})
		require.Equal(t, http.StatusRequestEntityTooLarge, r.Status)
		require.Equal(t, "M_TOO_LARGE", r.Errcode())
	})
	t.Run("too large streamed without a length", func(t *testing.T) {
		t.Parallel()
		req, err := http.NewRequest(http.MethodPost, s.URL+"/_matrix/media/v3/upload", io.MultiReader(bytes.NewReader(big)))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+alice.AccessToken)
		req.Header.Set("Content-Type", "application/octet-stream")
		req.ContentLength = -1 // chunked
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "%s", raw)
		require.Contains(t, string(raw), "M_TOO_LARGE")
	})
	t.Run("exactly the limit is fine, and config says so", func(t *testing.T) {
		t.Parallel()
		upload(t, s, alice.AccessToken, "application/octet-stream", "", big[:100<<10])
		require.EqualValues(t, 100<<10, get(t, s, v1Media+"/config", alice.AccessToken).Body["m.upload.size"])
	})
	for _, tc := range []struct{ name, path, status, errcode string }{
		{"unknown media", "/download/hearth.test/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "404", "M_NOT_FOUND"},
		{"unknown media thumbnail", "/thumbnail/hearth.test/AAAAAAAAAAAAAAAAAAAAAAAA?width=32&height=32", "404", "M_NOT_FOUND"},
		{"remote media without federation", "/download/other.example/abcdef", "404", "M_NOT_FOUND"},
		{"malformed server name", "/download/bad%20server/abcdef", "400", "M_INVALID_PARAM"},
		{"malformed media ID", "/download/hearth.test/abc.def", "400", "M_INVALID_PARAM"},
		{"media ID with an escaped slash", "/download/hearth.test/abc%2Fdef", "400", "M_INVALID_PARAM"},
		{"negative thumbnail width", "/thumbnail/hearth.test/abcdef?width=-1&height=32", "400", "M_INVALID_PARAM"},
		{"unknown thumbnail method", "/thumbnail/hearth.test/abcdef?width=32&height=32&method=stretch", "400", "M_INVALID_PARAM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := get(t, s, v1Media+tc.path, alice.AccessToken)
			require.Equal(t, tc.status, fmt.Sprint(r.Status), "%s", r.Raw)
			require.Equal(t, tc.errcode, r.Errcode())
		})
	}
	t.Run("a document cannot be thumbnailed", func(t *testing.T) {
		t.Parallel()
		uri := upload(t, s, alice.AccessToken, "application/pdf", "", []byte("%PDF-1.4 not an image"))
		r := get(t, s, v1Media+"/thumbnail/"+mxcPath(uri)+"?width=32&height=32", alice.AccessToken)
		require.Equal(t, http.StatusBadRequest, r.Status)
		require.Equal(t, "M_UNKNOWN", r.Errcode())
	})
}

func TestMediaQuota(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) { c.Media.UserQuotaBytes = 1000 }))
	alice := s.Register(t, "alice", "wonderland1")
	upload(t, s, alice.AccessToken, "application/octet-stream", "", make([]byte, 600))
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/media/v3/upload", Token: alice.AccessToken,
		Body: make([]byte, 600), Header: http.Header{"Content-Type": {"application/octet-stream"}}})
	require.Equal(t, http.StatusForbidden, r.Status)
	require.Equal(t, "M_FORBIDDEN", r.Errcode())
	bob := s.Register(t, "bob", "builder123")
	upload(t, s, bob.AccessToken, "application/octet-stream", "", make([]byte, 600))
}

func TestAsyncUpload(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) { c.Media.MaxPendingUploads = 3 }))
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder123")
	create := func(token string) servertest.Response {
		return s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/media/v1/create", Token: token})
	}
	put := func(token, uri string, body []byte) servertest.Response {
		return s.Do(t, servertest.Request{Method: http.MethodPut, Path: "/_matrix/media/v3/upload/" + mxcPath(uri) + "?filename=late.txt",
			Token: token, Body: body, Header: http.Header{"Content-Type": {"text/plain"}}})
	}

	r := create(alice.AccessToken)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	uri := r.Body["content_uri"].(string)
	require.True(t, strings.HasPrefix(uri, "mxc://hearth.test/"))
	expires := int64(r.Body["unused_expires_at"].(float64))
	require.InDelta(t, s.Clock.Now().Add(24*time.Hour).UnixMilli(), expires, 1000)

	r = get(t, s, v1Media+"/download/"+mxcPath(uri)+"?timeout_ms=0", alice.AccessToken)
	require.Equal(t, http.StatusGatewayTimeout, r.Status)
	require.Equal(t, "M_NOT_YET_UPLOADED", r.Errcode())

	// A download waiting for the upload gets it when it comes.
	var wg sync.WaitGroup
	var waited servertest.Response
	wg.Go(func() { waited = get(t, s, v1Media+"/download/"+mxcPath(uri)+"?timeout_ms=20000", alice.AccessToken) })
	require.Equal(t, http.StatusForbidden, put(bob.AccessToken, uri, []byte("mine")).Status, "a stranger's upload")
	r = put(alice.AccessToken, uri, []byte("hello, later"))
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	wg.Wait()
	require.Equal(t, http.StatusOK, waited.Status, "%s", waited.Raw)
	require.Equal(t, "hello, later", string(waited.Raw))
	require.Equal(t, `inline; filename="late.txt"`, waited.Header.Get("Content-Disposition"))

	r = put(alice.AccessToken, uri, []byte("again"))
	require.Equal(t, http.StatusConflict, r.Status)
	require.Equal(t, "M_CANNOT_OVERWRITE_MEDIA", r.Errcode())

	r = put(alice.AccessToken, "mxc://hearth.test/neverCreatedxxxxxxxxxxxxxxxxxx", []byte("x"))
	require.Equal(t, http.StatusNotFound, r.Status)
	require.Equal(t, "M_NOT_FOUND", r.Errcode())
	r = put(alice.AccessToken, "mxc://other.example/abcdef", []byte("x"))
	require.Equal(t, "M_NOT_FOUND", r.Errcode())

	// Reservations are limited, and expire.
	for range 3 {
		require.Equal(t, http.StatusOK, create(bob.AccessToken).Status)
	}
	r = create(bob.AccessToken)
	require.Equal(t, http.StatusTooManyRequests, r.Status)
	require.Equal(t, "M_LIMIT_EXCEEDED", r.Errcode())
	stale := create(alice.AccessToken).Body["content_uri"].(string)
	s.Clock.Advance(25 * time.Hour)
	require.Equal(t, "M_NOT_FOUND", put(alice.AccessToken, stale, []byte("x")).Errcode())
	require.Equal(t, "M_NOT_FOUND", get(t, s, v1Media+"/download/"+mxcPath(stale), alice.AccessToken).Errcode())
	require.Equal(t, http.StatusOK, create(bob.AccessToken).Status, "expired reservations no longer count")
}

func TestThumbnails(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	photo := jpegBytes(t, 1000, 800)
	uri := upload(t, s, alice.AccessToken, "image/jpeg", "photo.jpg", photo)
	waitThumbnails(t, s, uri, 5) // the upload's job, through River
	thumb := func(t *testing.T, uri, query string) servertest.Response {
		return get(t, s, v1Media+"/thumbnail/"+mxcPath(uri)+"?"+query, alice.AccessToken)
	}

	for _, tc := range []struct {
		name, query  string
		wantW, wantH int
	}{
		{"crop to a configured size", "width=96&height=96&method=crop", 96, 96},
		{"a smaller crop gets the next configured size up", "width=40&height=40&method=crop", 96, 96},
		{"scale fits the smallest configured box covering the request", "width=300&height=200&method=scale", 300, 240},
		{"scale is the default method", "width=800&height=600", 750, 600},
		{"a size beyond the configured ones is made on demand", "width=900&height=700&method=crop", 900, 700},
		{"a crop larger than the original keeps its aspect within the original", "width=900&height=900&method=crop", 800, 800},
		{"never larger than the original", "width=1500&height=1500&method=scale", 1000, 800},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := thumb(t, uri, tc.query)
			img, format := decodeImage(t, r)
			require.Equal(t, "jpeg", format)
			require.Equal(t, "image/jpeg", r.Header.Get("Content-Type"))
			require.Equal(t, `inline; filename="thumbnail.jpg"`, r.Header.Get("Content-Disposition"))
			require.Equal(t, tc.wantW, img.Bounds().Dx())
			require.Equal(t, tc.wantH, img.Bounds().Dy())
		})
	}
	t.Run("an original smaller than the box is served as it is", func(t *testing.T) {
		t.Parallel()
		r := thumb(t, uri, "width=2000&height=2000")
		require.Equal(t, photo, r.Raw)
	})
	t.Run("on-demand thumbnails are stored", func(t *testing.T) {
		t.Parallel()
		small := upload(t, s, alice.AccessToken, "image/png", "", pngBytes(t, 500, 500))
		first := thumb(t, small, "width=123&height=45&method=crop")
		img, format := decodeImage(t, first)
		require.Equal(t, "png", format)
		require.Equal(t, [2]int{123, 45}, [2]int{img.Bounds().Dx(), img.Bounds().Dy()})
		require.Equal(t, first.Raw, thumb(t, small, "width=123&height=45&method=crop").Raw)
		var n int
		require.NoError(t, s.App.Pool.QueryRow(t.Context(),
			"SELECT count(*) FROM media_thumbnails WHERE width = 123 AND height = 45").Scan(&n))
		require.Equal(t, 1, n)
	})
	t.Run("a small PNG is never scaled up", func(t *testing.T) {
		t.Parallel()
		tiny := upload(t, s, alice.AccessToken, "image/png", "", pngBytes(t, 40, 30))
		img, _ := decodeImage(t, thumb(t, tiny, "width=96&height=96&method=crop"))
		require.Equal(t, [2]int{30, 30}, [2]int{img.Bounds().Dx(), img.Bounds().Dy()})
		img, _ = decodeImage(t, thumb(t, tiny, "width=320&height=240&method=scale"))
		require.Equal(t, [2]int{40, 30}, [2]int{img.Bounds().Dx(), img.Bounds().Dy()})
	})
	t.Run("WebP input", func(t *testing.T) {
		t.Parallel()
		webp, err := os.ReadFile("testdata/gradient-120x90.webp")
		require.NoError(t, err)
		w := upload(t, s, alice.AccessToken, "image/webp", "", webp)
		img, format := decodeImage(t, thumb(t, w, "width=32&height=32&method=crop"))
		require.Equal(t, "png", format)
		require.Equal(t, 32, img.Bounds().Dx())
		img, _ = decodeImage(t, thumb(t, w, "width=60&height=60&method=scale"))
		require.Equal(t, [2]int{120, 90}, [2]int{img.Bounds().Dx(), img.Bounds().Dy()}, "the 320x240 box, capped by the original")
	})
	t.Run("animated GIF", func(t *testing.T) {
		t.Parallel()
		anim := upload(t, s, alice.AccessToken, "image/gif", "", animatedGIF(t, 200, 100, 4))

		r := thumb(t, anim, "width=96&height=96&method=crop&animated=true")
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		require.Equal(t, "image/gif", r.Header.Get("Content-Type"))
		g, err := gif.DecodeAll(bytes.NewReader(r.Raw))
		require.NoError(t, err)
		require.Len(t, g.Image, 4)
		require.Equal(t, 96, g.Image[0].Bounds().Dx())

		for _, q := range []string{"width=96&height=96&method=crop", "width=96&height=96&method=crop&animated=false"} {
			r = thumb(t, anim, q)
			img, format := decodeImage(t, r)
			require.Equal(t, "png", format, "a still thumbnail unless asked")
			require.Equal(t, 96, img.Bounds().Dx())
		}
		still := upload(t, s, alice.AccessToken, "image/png", "", pngBytes(t, 200, 100))
		_, format := decodeImage(t, thumb(t, still, "width=96&height=96&method=crop&animated=true"))
		require.Equal(t, "png", format, "animated=true on a still image behaves as false")
	})
}

// TestThumbnailJobSurvivesRestart leaves the thumbnail job of an upload to
// a process that does not work jobs, then starts a second one on the same
// database and store: it picks the job up.
func TestThumbnailJobSurvivesRestart(t *testing.T) {
	t.Parallel()
	cfg := servertest.Config(t)
	insertOnly := cfg
	insertOnly.Jobs.MaxWorkers = 0
	first := servertest.Start(t, insertOnly)
	alice := first.Register(t, "alice", "wonderland1")
	uri := upload(t, first, alice.AccessToken, "image/png", "", pngBytes(t, 300, 300))
	var pending int
	require.NoError(t, first.App.Pool.QueryRow(t.Context(), "SELECT count(*) FROM river_job WHERE kind = 'media.thumbnails' AND state = 'available'").Scan(&pending))
	require.Equal(t, 1, pending)

	second := servertest.Start(t, cfg)
	waitThumbnails(t, second, uri, 5)
}

func urlQueryEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
