package federationapi

import (
	"context"
	"encoding/json"
	"fmt"

	api "github.com/hearth-hs/hearth/gen/serverserver"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

// GetWellKnown serves GET /.well-known/matrix/server.
func (s *Server) GetWellKnown(context.Context, api.GetWellKnownRequestObject) (api.GetWellKnownResponseObject, error) {
	if s.cfg.DelegatedServer == "" {
		return nil, mxerr.New(mxerr.NotFound, "federation is not delegated")
	}
	return api.GetWellKnown200JSONResponse{MServer: &s.cfg.DelegatedServer}, nil
}

// GetVersion serves GET /_matrix/federation/v1/version.
func (s *Server) GetVersion(context.Context, api.GetVersionRequestObject) (api.GetVersionResponseObject, error) {
	name := "hearth"
	return api.GetVersion200JSONResponse{Server: &api.GetVersion200JSONResponseBody_Server{Name: &name, Version: &s.cfg.Version}}, nil
}

// GetServerKey serves GET /_matrix/key/v2/server: this server's signing key,
// self-signed.
func (s *Server) GetServerKey(context.Context, api.GetServerKeyRequestObject) (api.GetServerKeyResponseObject, error) {
	b, err := json.Marshal(s.key.GenerateKeyResponse(s.cfg.ServerName, nil))
	if err != nil {
		return nil, fmt.Errorf("encode server keys: %w", err)
	}
	return api.GetServerKey200JSONResponse(b), nil
}
