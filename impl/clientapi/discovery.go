package clientapi

import (
	"context"

	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

// specVersions are the client-server API versions hearth speaks: the r0
// releases that old clients still look for, and v1.1 to v1.19.
var specVersions = []string{
	"r0.0.1", "r0.1.0", "r0.2.0", "r0.3.0", "r0.4.0", "r0.5.0", "r0.6.0", "r0.6.1",
	"v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10",
	"v1.11", "v1.12", "v1.13", "v1.14", "v1.15", "v1.16", "v1.17", "v1.18", "v1.19",
}

// unstableFeatures are the MSC flags of behaviour hearth serves beyond the
// spec; each issue that serves one adds it here.
var unstableFeatures = map[string]bool{
	// Dehydrated devices (MSC3814): Element looks for this flag before it
	// offers to keep a dehydrated device.
	"org.matrix.msc3814": true,
	// Simplified Sliding Sync (MSC4186): Element X (matrix-rust-sdk) looks
	// for this flag before it uses the server's own sliding sync.
	"org.matrix.simplified_msc3575": true,
	// The original sliding sync path (MSC3575), served by the same engine.
	"org.matrix.msc3575": true,
}

// createRoomVersions are the room versions hearth creates rooms in.
var createRoomVersions = []string{"10", "11", "12"}

// GetVersions serves GET /_matrix/client/versions.
func (s *Server) GetVersions(context.Context, api.GetVersionsRequestObject) (api.GetVersionsResponseObject, error) {
	features := unstableFeatures
	return api.GetVersions200JSONResponse{Versions: specVersions, UnstableFeatures: &features}, nil
}

// GetWellknown serves GET /.well-known/matrix/client.
func (s *Server) GetWellknown(context.Context, api.GetWellknownRequestObject) (api.GetWellknownResponseObject, error) {
	return api.GetWellknown200JSONResponse{MHomeserver: api.HomeserverInformation{BaseUrl: s.cfg.PublicBaseURL}}, nil
}

// GetWellknownSupport serves GET /.well-known/matrix/support.
func (s *Server) GetWellknownSupport(context.Context, api.GetWellknownSupportRequestObject) (api.GetWellknownSupportResponseObject, error) {
	wk := s.cfg.WellKnown
	if len(wk.SupportContacts) == 0 && wk.SupportPage == "" {
		return nil, mxerr.New(mxerr.NotFound, "no support information is published")
	}
	var resp api.GetWellknownSupport200JSONResponse
	if wk.SupportPage != "" {
		resp.SupportPage = &wk.SupportPage
	}
	contacts := make([]api.GetWellknownSupport200JSONResponseBody_Contacts, 0, len(wk.SupportContacts))
	for _, c := range wk.SupportContacts {
		contact := api.GetWellknownSupport200JSONResponseBody_Contacts{Role: api.GetWellknownSupport200JSONResponseBodyContactsRole(c.Role)}
		if c.MatrixID != "" {
			contact.MatrixId = &c.MatrixID
		}
		if c.EmailAddress != "" {
			email := openapi_types.Email(c.EmailAddress)
			contact.EmailAddress = &email
		}
		contacts = append(contacts, contact)
	}
	resp.Contacts = &contacts
	return resp, nil
}

// GetCapabilities serves GET /_matrix/client/v3/capabilities.
func (s *Server) GetCapabilities(context.Context, api.GetCapabilitiesRequestObject) (api.GetCapabilitiesResponseObject, error) {
	available := make(map[string]api.GetCapabilities200JSONResponseBodyCapabilitiesMRoomVersionsAvailable, len(createRoomVersions))
	for _, v := range createRoomVersions {
		available[v] = api.Stable
	}
	return api.GetCapabilities200JSONResponse{Capabilities: api.GetCapabilities200JSONResponseBody_Capabilities{
		MChangePassword: &api.BooleanCapability{Enabled: true},
		M3pidChanges:    &api.BooleanCapability{Enabled: false},
		MGetLoginToken:  &api.BooleanCapability{Enabled: true},
		// Every profile field may be set (v1.19 client-server, Profiles); the
		// deprecated display name and avatar capabilities must agree.
		MProfileFields:  &api.GetCapabilities200JSONResponseBody_Capabilities_MProfileFields{Enabled: true},
		MSetDisplayname: &api.BooleanCapability{Enabled: true},
		MSetAvatarUrl:   &api.BooleanCapability{Enabled: true},
		MRoomVersions: &api.GetCapabilities200JSONResponseBody_Capabilities_MRoomVersions{
			Default:   s.cfg.DefaultRoomVersion,
			Available: available,
		},
	}}, nil
}
