package adminapi

import (
	"context"

	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/synapseadmin"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxid"
)

func device(user id.UserID, d accounts.Device) api.Device {
	return api.Device{DeviceId: string(d.ID), DisplayName: d.DisplayName, LastSeenIp: d.LastSeenIP,
		LastSeenTs: msPtr(d.LastSeenAt), LastSeenUserAgent: d.LastSeenAgent, UserId: string(user)}
}

// ListUserDevices serves GET /_synapse/admin/v2/users/{userId}/devices.
func (s *Server) ListUserDevices(ctx context.Context, r api.ListUserDevicesRequestObject) (api.ListUserDevicesResponseObject, error) {
	user, err := mxid.ParseUserID(string(r.UserId))
	if err != nil {
		return nil, err
	}
	devs, err := s.admin.Devices(ctx, accounts.Caller(ctx), user)
	if err != nil {
		return nil, err
	}
	out := api.ListUserDevices200JSONResponse{Devices: make([]api.Device, len(devs)), Total: len(devs)}
	for i, d := range devs {
		out.Devices[i] = device(user, d)
	}
	return out, nil
}

// GetUserDevice serves GET /_synapse/admin/v2/users/{userId}/devices/{deviceId}.
func (s *Server) GetUserDevice(ctx context.Context, r api.GetUserDeviceRequestObject) (api.GetUserDeviceResponseObject, error) {
	user, err := mxid.ParseUserID(string(r.UserId))
	if err != nil {
		return nil, err
	}
	d, err := s.admin.Device(ctx, accounts.Caller(ctx), user, id.DeviceID(r.DeviceId))
	if err != nil {
		return nil, err
	}
	return api.GetUserDevice200JSONResponse(device(user, d)), nil
}

// UpdateUserDevice serves PUT /_synapse/admin/v2/users/{userId}/devices/{deviceId}.
func (s *Server) UpdateUserDevice(ctx context.Context, r api.UpdateUserDeviceRequestObject) (api.UpdateUserDeviceResponseObject, error) {
	user, err := mxid.ParseUserID(string(r.UserId))
	if err != nil {
		return nil, err
	}
	if err := s.admin.RenameDevice(ctx, accounts.Caller(ctx), user, id.DeviceID(r.DeviceId), r.Body.DisplayName); err != nil {
		return nil, err
	}
	return api.UpdateUserDevice200JSONResponse{EmptyJSONResponse: api.EmptyJSONResponse{}}, nil
}

// DeleteUserDevice serves DELETE /_synapse/admin/v2/users/{userId}/devices/{deviceId}.
func (s *Server) DeleteUserDevice(ctx context.Context, r api.DeleteUserDeviceRequestObject) (api.DeleteUserDeviceResponseObject, error) {
	user, err := mxid.ParseUserID(string(r.UserId))
	if err != nil {
		return nil, err
	}
	if err := s.admin.DeleteDevices(ctx, accounts.Caller(ctx), user, []id.DeviceID{id.DeviceID(r.DeviceId)}); err != nil {
		return nil, err
	}
	return api.DeleteUserDevice200JSONResponse{EmptyJSONResponse: api.EmptyJSONResponse{}}, nil
}

// DeleteUserDevices serves POST /_synapse/admin/v2/users/{userId}/delete_devices.
func (s *Server) DeleteUserDevices(ctx context.Context, r api.DeleteUserDevicesRequestObject) (api.DeleteUserDevicesResponseObject, error) {
	user, err := mxid.ParseUserID(string(r.UserId))
	if err != nil {
		return nil, err
	}
	devs := make([]id.DeviceID, len(r.Body.Devices))
	for i, d := range r.Body.Devices {
		devs[i] = id.DeviceID(d)
	}
	if err := s.admin.DeleteDevices(ctx, accounts.Caller(ctx), user, devs); err != nil {
		return nil, err
	}
	return api.DeleteUserDevices200JSONResponse{EmptyJSONResponse: api.EmptyJSONResponse{}}, nil
}
