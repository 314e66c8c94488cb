// Package adminapi adapts hearth's admin API (spec/hearth/synapse-admin.yaml:
// Synapse's /_synapse/admin endpoints and hearth's /_hearth/admin ones) to
// the domain packages, as impl/clientapi does for the client API. Every
// method parses its request, makes one call to impl/admin (or impl/accounts
// for shared-secret registration) with the caller, and builds the generated
// response. Only server admins get this far: the HTTP server checks the
// server_admin role the spec's security names.
package adminapi

import (
	"fmt"

	"github.com/labstack/echo/v4"

	api "github.com/hearth-hs/hearth/gen/synapseadmin"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/admin"
	"github.com/hearth-hs/hearth/impl/httpserver"
)

// Deps are the domain services the admin API calls.
type Deps struct {
	Accounts *accounts.Service
	Admin    *admin.Service
}

// Server implements the generated admin strict interface.
type Server struct {
	api.Unimplemented
	accounts *accounts.Service
	admin    *admin.Service
}

var _ api.StrictServerInterface = (*Server)(nil)

// New returns the admin API adapter.
func New(deps Deps) *Server { return &Server{accounts: deps.Accounts, admin: deps.Admin} }

// API hands the adapter to the HTTP server.
func (s *Server) API() httpserver.API {
	spec, err := api.GetSwagger()
	if err != nil {
		panic(fmt.Sprintf("embedded admin spec: %v", err))
	}
	return httpserver.API{
		Spec: spec,
		Register: func(e *echo.Echo) {
			api.RegisterHandlers(e, api.NewStrictHandler(s, nil))
		},
	}
}
