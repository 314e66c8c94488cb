package adminapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/synapseadmin"
)

// GetServerVersion serves GET /_synapse/admin/v1/server_version.
func (s *Server) GetServerVersion(context.Context, api.GetServerVersionRequestObject) (api.GetServerVersionResponseObject, error) {
	return api.GetServerVersion200JSONResponse{ServerVersion: s.admin.Version()}, nil
}
