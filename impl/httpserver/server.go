package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/telemetry"
)

// API is one generated API as its adapter package hands it over: the spec
// its routes come from, and a function routing the adapter's handlers.
type API struct {
	Spec     *openapi3.T
	Register func(*echo.Echo)
}

// Deps are what the HTTP server needs from the rest of hearth.
type Deps struct {
	Logger  *slog.Logger
	Metrics *telemetry.Metrics
	Auth    Authenticator
	// Healthy reports whether hearth can serve (its database answers).
	Healthy func(context.Context) error
}

// Server is hearth's HTTP server.
type Server struct {
	echo    *echo.Echo
	cfg     Config
	log     *slog.Logger
	metrics *telemetry.Metrics
	servers []*http.Server
}

// New builds the echo stack and routes every operation of apis.
func New(deps Deps, cfg Config, apis ...API) (*Server, error) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(deps.Logger)
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)

	ops := operationIndex{}
	for _, api := range apis {
		if err := indexOperations(api.Spec, ops); err != nil {
			return nil, err
		}
	}
	lim := newLimiter(cfg.RateLimits)
	e.Use(requestLog(deps.Logger, deps.Metrics))
	e.Use(cors)
	e.Use(dispatch(ops, cfg, lim, deps.Auth))

	for _, api := range apis {
		api.Register(e)
	}
	e.GET("/health", func(c echo.Context) error {
		if err := deps.Healthy(c.Request().Context()); err != nil {
			return mxerr.Wrap(err, mxerr.Unknown, "unhealthy").WithStatus(http.StatusServiceUnavailable)
		}
		return c.String(http.StatusOK, "OK")
	})
	return &Server{echo: e, cfg: cfg, log: deps.Logger, metrics: deps.Metrics}, nil
}

// dispatch runs, for a routed request, the steps its spec operation asks
// for: rate limit, body limit, authentication, then validation.
func dispatch(ops operationIndex, cfg Config, lim *limiter, auth Authenticator) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			op := ops[routeKey(req.Method, c.Path())]
			if op == nil {
				return next(c) // not a spec operation: /health, or unrouted
			}
			telemetry.FieldsOf(req.Context()).Op = op.id
			if err := lim.allow(op.limit, c.RealIP()); err != nil {
				return err
			}
			if op.jsonBody {
				if req.ContentLength > cfg.MaxBodyBytes {
					return mxerr.New(mxerr.TooLarge, "request body is larger than %d bytes", cfg.MaxBodyBytes)
				}
				req.Body = http.MaxBytesReader(c.Response(), req.Body, cfg.MaxBodyBytes)
			}
			if err := authenticate(c, op, auth); err != nil {
				return err
			}
			if err := validate(c, op); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// Handler is the whole stack as an http.Handler, for tests.
func (s *Server) Handler() http.Handler { return s.echo }

// Serve listens on the configured addresses until ctx ends, then shuts down
// gracefully, giving in-flight requests a few seconds.
func (s *Server) Serve(ctx context.Context) error {
	lc := net.ListenConfig{}
	errc := make(chan error, 2)
	start := func(addr string, h http.Handler) error {
		ln, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
		s.servers = append(s.servers, srv)
		s.log.InfoContext(ctx, "listening", "addr", ln.Addr().String())
		go func() { errc <- srv.Serve(ln) }()
		return nil
	}
	if err := start(s.cfg.Listen, s.echo); err != nil {
		return err
	}
	if s.cfg.MetricsListen != "" {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{}))
		if err := start(s.cfg.MetricsListen, mux); err != nil {
			return err
		}
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		_ = srv.Shutdown(shutdownCtx)
	}
	return nil
}

func ipExtractor(trusted []string) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		if _, n, err := net.ParseCIDR(p); err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
