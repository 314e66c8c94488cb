package httpserver

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// cors answers as the Matrix spec asks of every endpoint: the same CORS
// headers on every response, whatever the Origin, and a preflight OPTIONS
// request answered without reaching a handler (web clients such as Element
// Web run on other origins).
func cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "X-Requested-With, Content-Type, Authorization")
		if c.Request().Method == http.MethodOptions {
			return c.NoContent(http.StatusNoContent)
		}
		return next(c)
	}
}
