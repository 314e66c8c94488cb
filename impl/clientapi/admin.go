package clientapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// GetWhoIs serves GET /_matrix/client/v3/admin/whois/{userId}.
func (s *Server) GetWhoIs(ctx context.Context, r api.GetWhoIsRequestObject) (api.GetWhoIsResponseObject, error) {
	user, err := mxid.ParseUserID(r.UserId)
	if err != nil {
		return nil, err
	}
	devs, err := s.admin.Whois(ctx, accounts.Caller(ctx), user)
	if err != nil {
		return nil, err
	}
	out := make(map[string]api.GetWhoIs200JSONResponseBody_Devices, len(devs))
	for dev, conns := range devs {
		cs := make([]api.GetWhoIs200JSONResponseBody_Devices_Sessions_Connections, len(conns))
		for i, c := range conns {
			cs[i] = api.GetWhoIs200JSONResponseBody_Devices_Sessions_Connections{Ip: new(c.IP), LastSeen: new(c.LastSeen.UnixMilli()),
				UserAgent: new(c.UserAgent)}
		}
		out[string(dev)] = api.GetWhoIs200JSONResponseBody_Devices{
			Sessions: &[]api.GetWhoIs200JSONResponseBody_Devices_Sessions{{Connections: &cs}}}
	}
	return api.GetWhoIs200JSONResponse{UserId: new(string(user)), Devices: &out}, nil
}

// GetAdminSuspendUser serves GET /_matrix/client/v1/admin/suspend/{userId}.
func (s *Server) GetAdminSuspendUser(ctx context.Context, r api.GetAdminSuspendUserRequestObject) (api.GetAdminSuspendUserResponseObject, error) {
	user, err := mxid.ParseUserID(r.UserId)
	if err != nil {
		return nil, err
	}
	suspended, err := s.admin.Suspended(ctx, accounts.Caller(ctx), user)
	if err != nil {
		return nil, err
	}
	return api.GetAdminSuspendUser200JSONResponse{Suspended: suspended}, nil
}

// SetAdminSuspendUser serves PUT /_matrix/client/v1/admin/suspend/{userId}.
func (s *Server) SetAdminSuspendUser(ctx context.Context, r api.SetAdminSuspendUserRequestObject) (api.SetAdminSuspendUserResponseObject, error) {
	user, err := mxid.ParseUserID(r.UserId)
	if err != nil {
		return nil, err
	}
	if err := s.admin.SetSuspended(ctx, accounts.Caller(ctx), user, r.Body.Suspended); err != nil {
		return nil, err
	}
	return api.SetAdminSuspendUser200JSONResponse{Suspended: r.Body.Suspended}, nil
}

// GetAdminLockUser serves GET /_matrix/client/v1/admin/lock/{userId}.
func (s *Server) GetAdminLockUser(ctx context.Context, r api.GetAdminLockUserRequestObject) (api.GetAdminLockUserResponseObject, error) {
	user, err := mxid.ParseUserID(r.UserId)
	if err != nil {
		return nil, err
	}
	locked, err := s.admin.Locked(ctx, accounts.Caller(ctx), user)
	if err != nil {
		return nil, err
	}
	return api.GetAdminLockUser200JSONResponse{Locked: locked}, nil
}

// SetAdminLockUser serves PUT /_matrix/client/v1/admin/lock/{userId}.
func (s *Server) SetAdminLockUser(ctx context.Context, r api.SetAdminLockUserRequestObject) (api.SetAdminLockUserResponseObject, error) {
	user, err := mxid.ParseUserID(r.UserId)
	if err != nil {
		return nil, err
	}
	if err := s.admin.SetLocked(ctx, accounts.Caller(ctx), user, r.Body.Locked); err != nil {
		return nil, err
	}
	return api.SetAdminLockUser200JSONResponse{Locked: r.Body.Locked}, nil
}
