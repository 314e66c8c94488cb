package httpserver

import (
	"context"
	"crypto/tls"
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
	// Spec is nil for routes outside every spec (the admin dashboard's
	// static files): they are served as they are, with no auth and no
	// validation.
	Spec     *openapi3.T
	Register func(*echo.Echo)
	// BodyLimits replaces Config.MaxBodyBytes for the operations it names
	// (by operationId): media uploads declare the media limit here.
	BodyLimits map[string]int64
	// Aliases are extra routes Register adds for spec operations.
	Aliases []RouteAlias
}

// RouteAlias is a second route of a spec operation, with some of its path
// parameters fixed: the empty state key of
// /rooms/{roomId}/state/{eventType}/{stateKey} can only be written as
// /state/{eventType} or /state/{eventType}/, which the spec's template
// cannot match. The alias is authenticated and validated as the operation,
// less the omitted parameters.
type RouteAlias struct {
	Method string
	// Path is the alias's echo route; Of is the operation's spec path.
	Path, Of string
	// Omit are the path parameters the alias fixes.
	Omit []string
}

// Deps are what the HTTP server needs from the rest of hearth.
type Deps struct {
	Logger  *slog.Logger
	Metrics *telemetry.Metrics
	Auth    Authenticator
	// Healthy reports whether hearth can serve (its database answers).
	Healthy func(context.Context) error
	// Certificate, when set, is served on Config.TLSListen in place of the
	// files Config.TLSCert and TLSKey name.
	Certificate *tls.Certificate
}

// Server is hearth's HTTP server.
type Server struct {
	echo    *echo.Echo
	cfg     Config
	log     *slog.Logger
	metrics *telemetry.Metrics
	servers []*http.Server
	tls     *tls.Config // for cfg.TLSListen
}

// New builds the echo stack and routes every operation of apis.
func New(deps Deps, cfg Config, apis ...API) (*Server, error) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(deps.Logger)
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)

	ops := operationIndex{}
	for _, api := range apis {
		if api.Spec == nil {
			continue
		}
		if err := indexOperations(api.Spec, api.BodyLimits, ops); err != nil {
			return nil, err
		}
		for _, a := range api.Aliases {
			if err := ops.alias(a); err != nil {
				return nil, err
			}
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
	s := &Server{echo: e, cfg: cfg, log: deps.Logger, metrics: deps.Metrics}
	if cfg.TLSListen != "" {
		var err error
		if s.tls, err = tlsConfig(cfg, deps.Certificate); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// tlsConfig is the TLS listener's configuration: cert, else the files cfg
// names.
func tlsConfig(cfg Config, cert *tls.Certificate) (*tls.Config, error) {
	if cert == nil {
		if cfg.TLSCert == "" {
			return nil, errors.New("http.tls_listen is set but no certificate is: set http.tls_cert and http.tls_key, or tls_issuer")
		}
		c, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("load TLS certificate: %w", err)
		}
		cert = &c
	}
	return &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}, nil
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
			if op.hasBody {
				limit := cfg.MaxBodyBytes
				if op.bodyLimit > 0 {
					limit = op.bodyLimit
				}
				if req.ContentLength > limit {
					return mxerr.New(mxerr.TooLarge, "request body is larger than %d bytes", limit)
				}
				req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
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
	errc := make(chan error, 3) // one per listener
	start := func(addr string, h http.Handler, tlsCfg *tls.Config) error {
		ln, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, TLSConfig: tlsCfg}
		s.servers = append(s.servers, srv)
		s.log.InfoContext(ctx, "listening", "addr", ln.Addr().String(), "tls", tlsCfg != nil)
		if tlsCfg != nil {
			go func() { errc <- srv.ServeTLS(ln, "", "") }()
		} else {
			go func() { errc <- srv.Serve(ln) }()
		}
		return nil
	}
	if err := start(s.cfg.Listen, s.echo, nil); err != nil {
		return err
	}
	if s.cfg.TLSListen != "" {
		if err := start(s.cfg.TLSListen, s.echo, s.tls); err != nil {
			return err
		}
	}
	if s.cfg.MetricsListen != "" {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{}))
		if err := start(s.cfg.MetricsListen, mux, nil); err != nil {
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
