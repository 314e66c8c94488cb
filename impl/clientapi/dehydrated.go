package clientapi

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v4"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/msc3814"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/e2ee"
	"github.com/hearth-hs/hearth/impl/httpserver"
)

// The dehydrated device endpoints of MSC3814 (unstable), defined by hearth
// in spec/hearth/msc3814.yaml: Server serves them beside the client-server
// API.
var _ msc3814.StrictServerInterface = (*Server)(nil)

// DehydratedAPI hands the MSC3814 endpoints to the HTTP server.
func (s *Server) DehydratedAPI() httpserver.API {
	spec, err := msc3814.GetSwagger()
	if err != nil {
		// The spec is embedded at build time; a broken one is a build bug.
		panic(fmt.Sprintf("embedded MSC3814 spec: %v", err))
	}
	return httpserver.API{
		Spec: spec,
		Register: func(e *echo.Echo) {
			msc3814.RegisterHandlers(e, msc3814.NewStrictHandler(s, nil))
		},
	}
}

// PutDehydratedDevice serves PUT /_matrix/client/unstable/org.matrix.msc3814.v1/dehydrated_device.
func (s *Server) PutDehydratedDevice(ctx context.Context, r msc3814.PutDehydratedDeviceRequestObject) (msc3814.PutDehydratedDeviceResponseObject, error) {
	b := r.Body
	p := e2ee.DehydratedParams{
		User: accounts.Caller(ctx).UserID, Device: id.DeviceID(b.DeviceId), DeviceData: b.DeviceData,
		DisplayName: b.InitialDeviceDisplayName, DeviceKeys: b.DeviceKeys,
	}
	if b.OneTimeKeys != nil {
		p.OneTimeKeys = *b.OneTimeKeys
	}
	if b.FallbackKeys != nil {
		p.FallbackKeys = *b.FallbackKeys
	}
	if err := s.keys.PutDehydratedDevice(ctx, p); err != nil {
		return nil, err
	}
	return msc3814.PutDehydratedDevice200JSONResponse{DeviceIDJSONResponse: msc3814.DeviceIDJSONResponse{DeviceId: b.DeviceId}}, nil
}

// GetDehydratedDevice serves GET /_matrix/client/unstable/org.matrix.msc3814.v1/dehydrated_device.
func (s *Server) GetDehydratedDevice(ctx context.Context, _ msc3814.GetDehydratedDeviceRequestObject) (msc3814.GetDehydratedDeviceResponseObject, error) {
	device, data, err := s.keys.DehydratedDevice(ctx, accounts.Caller(ctx).UserID)
	if err != nil {
		return nil, err
	}
	return msc3814.GetDehydratedDevice200JSONResponse{DeviceId: string(device), DeviceData: data}, nil
}

// DeleteDehydratedDevice serves DELETE /_matrix/client/unstable/org.matrix.msc3814.v1/dehydrated_device.
func (s *Server) DeleteDehydratedDevice(ctx context.Context, _ msc3814.DeleteDehydratedDeviceRequestObject) (msc3814.DeleteDehydratedDeviceResponseObject, error) {
	device, err := s.keys.DeleteDehydratedDevice(ctx, accounts.Caller(ctx).UserID)
	if err != nil {
		return nil, err
	}
	return msc3814.DeleteDehydratedDevice200JSONResponse{DeviceIDJSONResponse: msc3814.DeviceIDJSONResponse{DeviceId: string(device)}}, nil
}

// GetDehydratedDeviceEvents serves POST /_matrix/client/unstable/org.matrix.msc3814.v1/dehydrated_device/{deviceId}/events.
func (s *Server) GetDehydratedDeviceEvents(ctx context.Context, r msc3814.GetDehydratedDeviceEventsRequestObject) (msc3814.GetDehydratedDeviceEventsResponseObject, error) {
	var next string
	if r.Body != nil && r.Body.NextBatch != nil {
		next = *r.Body.NextBatch
	}
	events, batch, err := s.keys.DehydratedEvents(ctx, accounts.Caller(ctx).UserID, id.DeviceID(r.DeviceId), next)
	if err != nil {
		return nil, err
	}
	out := make([]msc3814.RawObject, len(events))
	for i, e := range events {
		out[i] = e
	}
	return msc3814.GetDehydratedDeviceEvents200JSONResponse{Events: out, NextBatch: batch}, nil
}
