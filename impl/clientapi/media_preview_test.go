package clientapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// site is a web server on 127.0.0.1 for previews to fetch.
type site struct {
	*httptest.Server
	pageHits atomic.Int32
}

func newSite(t *testing.T) *site {
	t.Helper()
	st := &site{}
	logo := pngBytes(t, 48, 32)
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, _ *http.Request) {
		st.pageHits.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>Fallback</title>
			<meta property="og:title" content="Hearth Blog">
			<meta property="og:description" content="Warm news">
			<meta property="og:image" content="/logo.png"></head><body>hi</body></html>`)
	})
	mux.HandleFunc("/logo.png", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(logo)
	})
	mux.HandleFunc("/plain", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "just text")
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/to-private", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://10.0.0.1/admin", http.StatusFound)
	})
	mux.HandleFunc("/to-loopback", func(w http.ResponseWriter, r *http.Request) {
		// Another loopback address, outside the allow-list's 127.0.0.1/32.
		http.Redirect(w, r, "http://127.0.0.2:"+r.Host[strings.LastIndexByte(r.Host, ':')+1:]+"/page", http.StatusFound)
	})
	mux.HandleFunc("/to-page", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/page", http.StatusFound)
	})
	st.Server = httptest.NewServer(mux)
	t.Cleanup(st.Close)
	return st
}

func preview(t *testing.T, s *servertest.Server, token, target string) servertest.Response {
	t.Helper()
	return get(t, s, v1Media+"/preview_url?url="+url.QueryEscape(target), token)
}

func TestPreviewURL(t *testing.T) {
	t.Parallel()
	web := newSite(t)
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) {
		c.Media.URLPreview.AllowCIDRs = []string{"127.0.0.1/32"}
	}))
	alice := s.Register(t, "alice", "wonderland1")

	t.Run("a page's OpenGraph data, its image stored as media", func(t *testing.T) {
		t.Parallel()
		r := preview(t, s, alice.AccessToken, web.URL+"/page")
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		require.Equal(t, "Hearth Blog", r.Body["og:title"])
		require.Equal(t, "Warm news", r.Body["og:description"])
		require.Equal(t, "image/png", r.Body["og:image:type"])
		require.EqualValues(t, 48, r.Body["og:image:width"])
		require.EqualValues(t, 32, r.Body["og:image:height"])
		img, _ := r.Body["og:image"].(string)
		require.True(t, strings.HasPrefix(img, "mxc://hearth.test/"), img)
		d := get(t, s, v1Media+"/download/"+mxcPath(img), alice.AccessToken)
		require.Equal(t, http.StatusOK, d.Status)
		require.EqualValues(t, len(d.Raw), r.Body["matrix:image:size"])

		hits := web.pageHits.Load()
		again := preview(t, s, alice.AccessToken, web.URL+"/page#fragment")
		require.Equal(t, r.Body, again.Body, "cached, fragment ignored")
		require.Equal(t, hits, web.pageHits.Load(), "the cache answered")
		legacy := get(t, s, legacyMedia+"/preview_url?url="+url.QueryEscape(web.URL+"/page"), alice.AccessToken)
		require.Equal(t, r.Body, legacy.Body)
	})
	t.Run("a redirect within the allowed network is followed", func(t *testing.T) {
		t.Parallel()
		r := preview(t, s, alice.AccessToken, web.URL+"/to-page")
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		require.Equal(t, "Hearth Blog", r.Body["og:title"])
	})
	t.Run("a page with nothing to read previews empty", func(t *testing.T) {
		t.Parallel()
		r := preview(t, s, alice.AccessToken, web.URL+"/plain")
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		require.Empty(t, r.Body)
	})
	t.Run("an image URL is previewed as the image", func(t *testing.T) {
		t.Parallel()
		r := preview(t, s, alice.AccessToken, web.URL+"/logo.png")
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		require.Contains(t, r.Body["og:image"], "mxc://")
	})
	t.Run("an error page is a bad gateway", func(t *testing.T) {
		t.Parallel()
		r := preview(t, s, alice.AccessToken, web.URL+"/missing")
		require.Equal(t, http.StatusBadGateway, r.Status)
	})
	for _, tc := range []struct{ name, target string }{
		{"a redirect to a private address", web.URL + "/to-private"},
		{"a redirect to loopback outside the allow-list", web.URL + "/to-loopback"},
		{"a private address", "http://10.0.0.1/"},
		{"link-local metadata", "http://169.254.169.254/latest/meta-data/"},
		{"loopback outside the allow-list", strings.Replace(web.URL, "127.0.0.1", "127.0.0.2", 1) + "/page"},
		{"IPv6 loopback", "http://[::1]/"},
		{"unspecified", "http://0.0.0.0/"},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			t.Parallel()
			r := preview(t, s, alice.AccessToken, tc.target)
			require.Equal(t, http.StatusForbidden, r.Status, "%s", r.Raw)
			require.Equal(t, "M_FORBIDDEN", r.Errcode())
		})
	}
	for _, target := range []string{"ftp://example.org/", "file:///etc/passwd", "not a url", "http://user:pw@127.0.0.1/"} {
		t.Run("bad URL "+target, func(t *testing.T) {
			t.Parallel()
			r := preview(t, s, alice.AccessToken, target)
			require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Raw)
		})
	}
	t.Run("needs a token", func(t *testing.T) {
		t.Parallel()
		require.Equal(t, http.StatusUnauthorized, preview(t, s, "", web.URL+"/page").Status)
	})
}

func TestPreviewURLRefusesLoopbackByDefault(t *testing.T) {
	t.Parallel()
	web := newSite(t)
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	for _, target := range []string{web.URL + "/page", "http://127.0.0.1/", "http://10.0.0.1/", "http://localhost:1/"} {
		r := preview(t, s, alice.AccessToken, target)
		require.Equal(t, http.StatusForbidden, r.Status, "%s: %s", target, r.Raw)
		require.Equal(t, "M_FORBIDDEN", r.Errcode())
	}
	require.Zero(t, web.pageHits.Load())
}

func TestPreviewURLDisabled(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.WithConfig(func(c *config.Config) { c.Media.URLPreview.Enabled = false }))
	alice := s.Register(t, "alice", "wonderland1")
	r := preview(t, s, alice.AccessToken, "https://example.org/")
	require.Equal(t, http.StatusNotFound, r.Status)
	require.Equal(t, "M_UNRECOGNIZED", r.Errcode())
}
