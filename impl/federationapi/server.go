// Package federationapi adapts the generated server-server API to hearth's
// domain packages, as impl/clientapi does for clients. Operations not built
// yet fall through to the embedded Unimplemented (M_UNRECOGNIZED).
package federationapi

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v4"
	"maunium.net/go/mautrix/federation"
	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/serverserver"
	"github.com/hearth-hs/hearth/impl/httpserver"
)

// Deps are the domain services the federation API calls.
type Deps struct {
	SigningKey *federation.SigningKey
	// OpenID exchanges OpenID tokens for their users (impl/accounts).
	OpenID OpenIDTokens
}

// OpenIDTokens resolves the OpenID tokens local users hand to other
// services.
type OpenIDTokens interface {
	// OpenIDTokenOwner answers M_UNKNOWN_TOKEN for unknown or expired
	// tokens.
	OpenIDTokenOwner(ctx context.Context, token string) (id.UserID, error)
}

// Config is what the federation API announces about this server.
type Config struct {
	ServerName string
	Version    string
	// DelegatedServer is announced in /.well-known/matrix/server; empty
	// answers 404 (federation on the server name's own port 8448).
	DelegatedServer string
}

// Server implements the generated server-server strict interface.
type Server struct {
	api.Unimplemented
	key    *federation.SigningKey
	openID OpenIDTokens
	cfg    Config
}

var _ api.StrictServerInterface = (*Server)(nil)

// New returns the federation API adapter.
func New(deps Deps, cfg Config) *Server {
	return &Server{key: deps.SigningKey, openID: deps.OpenID, cfg: cfg}
}

// API hands the adapter to the HTTP server.
func (s *Server) API() httpserver.API {
	spec, err := api.GetSwagger()
	if err != nil {
		panic(fmt.Sprintf("embedded server-server spec: %v", err))
	}
	return httpserver.API{
		Spec: spec,
		Register: func(e *echo.Echo) {
			api.RegisterHandlers(e, api.NewStrictHandler(s, nil))
		},
	}
}
