package clientapi_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// Real images made in the tests.

func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 100, 255})
		}
	}
	return img
}

func pngBytes(t testing.TB, w, h int) []byte {
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, gradient(w, h)))
	return buf.Bytes()
}

func jpegBytes(t testing.TB, w, h int) []byte {
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, gradient(w, h), &jpeg.Options{Quality: 85}))
	return buf.Bytes()
}

// animatedGIF is frames frames of w×h, each a different colour.
func animatedGIF(t testing.TB, w, h, frames int) []byte {
	g := &gif.GIF{}
	for i := range frames {
		f := image.NewPaletted(image.Rect(0, 0, w, h), palette.Plan9)
		for y := range h {
			for x := range w {
				f.Set(x, y, color.RGBA{uint8(i * 60), uint8(x), uint8(y), 255})
			}
		}
		g.Image = append(g.Image, f)
		g.Delay = append(g.Delay, 10)
	}
	var buf bytes.Buffer
	require.NoError(t, gif.EncodeAll(&buf, g))
	return buf.Bytes()
}

// upload posts body and returns its mxc URI.
func upload(t testing.TB, s *servertest.Server, token, contentType, fileName string, body []byte) string {
	t.Helper()
	path := "/_matrix/media/v3/upload"
	if fileName != "" {
		path += "?filename=" + url.QueryEscape(fileName)
	}
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: path, Token: token, Body: body,
		Header: http.Header{"Content-Type": {contentType}}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	uri, _ := r.Body["content_uri"].(string)
	require.True(t, strings.HasPrefix(uri, "mxc://"+s.ServerName+"/"), uri)
	return uri
}

// mxcPath is "server/mediaID" of an mxc URI.
func mxcPath(uri string) string { return strings.TrimPrefix(uri, "mxc://") }

func get(t testing.TB, s *servertest.Server, path, token string) servertest.Response {
	t.Helper()
	return s.Do(t, servertest.Request{Method: http.MethodGet, Path: path, Token: token})
}

// decodeImage decodes a thumbnail answer.
func decodeImage(t testing.TB, r servertest.Response) (image.Image, string) {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	img, format, err := image.Decode(bytes.NewReader(r.Raw))
	require.NoError(t, err)
	return img, format
}

// waitThumbnails polls until the thumbnail job stored n thumbnails of the
// media, or fails t at the deadline.
func waitThumbnails(t testing.TB, s *servertest.Server, uri string, n int) {
	t.Helper()
	mediaID := uri[strings.LastIndexByte(uri, '/')+1:]
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got int
		require.NoError(t, s.App.Pool.QueryRow(context.Background(),
			"SELECT count(*) FROM media_thumbnails WHERE media_id = $1", mediaID).Scan(&got))
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d thumbnails made before the deadline", got, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
