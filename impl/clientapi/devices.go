package clientapi

import (
	"context"

	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
)

func deviceOut(d accounts.Device) api.Device {
	out := api.Device{DeviceId: string(d.ID), DisplayName: d.DisplayName, LastSeenIp: d.LastSeenIP}
	if d.LastSeenAt != nil {
		out.LastSeenTs = ptr(d.LastSeenAt.UnixMilli())
	}
	return out
}

// GetDevices serves GET /_matrix/client/v3/devices.
func (s *Server) GetDevices(ctx context.Context, _ api.GetDevicesRequestObject) (api.GetDevicesResponseObject, error) {
	devices, err := s.accounts.Devices(ctx, accounts.Caller(ctx).UserID)
	if err != nil {
		return nil, err
	}
	out := make([]api.Device, len(devices))
	for i, d := range devices {
		out[i] = deviceOut(d)
	}
	return api.GetDevices200JSONResponse{Devices: &out}, nil
}

// GetDevice serves GET /_matrix/client/v3/devices/{deviceId}.
func (s *Server) GetDevice(ctx context.Context, r api.GetDeviceRequestObject) (api.GetDeviceResponseObject, error) {
	d, err := s.accounts.Device(ctx, accounts.Caller(ctx).UserID, id.DeviceID(r.DeviceId))
	if err != nil {
		return nil, err
	}
	return api.GetDevice200JSONResponse(deviceOut(d)), nil
}

// UpdateDevice serves PUT /_matrix/client/v3/devices/{deviceId}.
func (s *Server) UpdateDevice(ctx context.Context, r api.UpdateDeviceRequestObject) (api.UpdateDeviceResponseObject, error) {
	err := s.accounts.RenameDevice(ctx, accounts.Caller(ctx).UserID, id.DeviceID(r.DeviceId), r.Body.DisplayName)
	if err != nil {
		return nil, err
	}
	return api.UpdateDevice200JSONResponse{}, nil
}

// DeleteDevice serves DELETE /_matrix/client/v3/devices/{deviceId}.
func (s *Server) DeleteDevice(ctx context.Context, r api.DeleteDeviceRequestObject) (api.DeleteDeviceResponseObject, error) {
	var auth *api.AuthData
	if r.Body != nil {
		auth = r.Body.Auth
	}
	err := s.accounts.DeleteDeviceInteractive(ctx, accounts.Caller(ctx), id.DeviceID(r.DeviceId), authData(auth))
	if err != nil {
		return nil, err
	}
	return api.DeleteDevice200JSONResponse{}, nil
}

// DeleteDevices serves POST /_matrix/client/v3/delete_devices.
func (s *Server) DeleteDevices(ctx context.Context, r api.DeleteDevicesRequestObject) (api.DeleteDevicesResponseObject, error) {
	devices := make([]id.DeviceID, len(r.Body.Devices))
	for i, d := range r.Body.Devices {
		devices[i] = id.DeviceID(d)
	}
	if err := s.accounts.DeleteDevicesInteractive(ctx, accounts.Caller(ctx), devices, authData(r.Body.Auth)); err != nil {
		return nil, err
	}
	return api.DeleteDevices200JSONResponse{}, nil
}
