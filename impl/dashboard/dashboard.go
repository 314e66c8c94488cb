// Package dashboard serves hearth's admin web dashboard at /admin: static
// files (HTML, CSS, JavaScript, written by hand, no build step) embedded in
// the binary. The page signs in through the client API and reads and
// changes everything through the admin API, so it holds no data and no
// logic of its own on the server. Every answer carries a Content Security
// Policy of default-src 'self': the page makes no request beyond this
// server. impl/app hands it to the HTTP server beside the generated APIs.
package dashboard

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hearth-hs/hearth/impl/httpserver"
)

//go:embed static
var static embed.FS

// Path is where the dashboard is served.
const Path = "/admin"

// securityHeaders are sent with every file: nothing but this server's own
// scripts, styles and requests; no framing, no referrers, no sniffing.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	"X-Content-Type-Options":  "nosniff",
	"X-Frame-Options":         "DENY",
	"Referrer-Policy":         "no-referrer",
	"Cache-Control":           "no-cache",
}

// API returns the dashboard's routes for the HTTP server. They are outside
// every spec: no authentication (the files are public; the data is behind
// the admin API) and no validation.
func API() httpserver.API {
	files, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	serve := http.FileServerFS(files)
	handler := func(c echo.Context) error {
		name := strings.TrimPrefix(c.Request().URL.Path, Path)
		if name == "" {
			return c.Redirect(http.StatusMovedPermanently, Path+"/")
		}
		name = path.Clean("/" + name)
		if name != "/" {
			if _, err := fs.Stat(files, name[1:]); err != nil {
				return echo.ErrNotFound
			}
		}
		h := c.Response().Header()
		for k, v := range securityHeaders {
			h.Set(k, v)
		}
		req := c.Request().Clone(c.Request().Context())
		req.URL.Path = name
		serve.ServeHTTP(c.Response(), req)
		return nil
	}
	return httpserver.API{Register: func(e *echo.Echo) {
		e.GET(Path, handler)
		e.HEAD(Path, handler)
		e.GET(Path+"/*", handler)
		e.HEAD(Path+"/*", handler)
	}}
}
