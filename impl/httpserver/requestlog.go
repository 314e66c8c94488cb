package httpserver

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/telemetry"
)

// requestLog is the first middleware: it gives the request an ID (answered
// as X-Request-ID and stamped on its log records), turns panics into 500s
// with a logged stack, and writes one access line and one metric sample per
// request. It logs the route pattern, never the URL, which may carry an
// access token.
func requestLog(log *slog.Logger, metrics *telemetry.Metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			start := time.Now()
			req := c.Request()
			f := &telemetry.Fields{RequestID: mxid.NewOpaque(16)}
			ctx := telemetry.WithFields(req.Context(), f)
			c.SetRequest(req.WithContext(ctx))
			c.Response().Header().Set("X-Request-ID", f.RequestID)

			defer func() {
				if r := recover(); r != nil {
					log.ErrorContext(ctx, "panic in handler", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					err = fmt.Errorf("panic: %v", r)
				}
				if err != nil {
					c.Error(err)
				}
				status := c.Response().Status
				op := f.Op
				if op == "" {
					op = "unrouted"
				}
				dur := time.Since(start)
				metrics.Requests.WithLabelValues(op, strconv.Itoa(status)).Observe(dur.Seconds())
				log.LogAttrs(ctx, slog.LevelInfo, "request",
					slog.String("method", req.Method),
					slog.String("route", c.Path()),
					slog.String("op", op),
					slog.Int("status", status),
					slog.String("errcode", f.Errcode),
					slog.Duration("dur", dur),
				)
			}()
			return next(c)
		}
	}
}
