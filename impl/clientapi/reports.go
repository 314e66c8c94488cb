package clientapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// ReportEvent serves POST /_matrix/client/v3/rooms/{roomId}/report/{eventId}.
func (s *Server) ReportEvent(ctx context.Context, r api.ReportEventRequestObject) (api.ReportEventResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	ev, err := mxid.ParseEventID(r.EventId)
	if err != nil {
		return nil, err
	}
	if err := s.reports.ReportEvent(ctx, accounts.Caller(ctx).UserID, room, ev, r.Body.Reason); err != nil {
		return nil, err
	}
	return api.ReportEvent200JSONResponse{}, nil
}

// ReportRoom serves POST /_matrix/client/v3/rooms/{roomId}/report.
func (s *Server) ReportRoom(ctx context.Context, r api.ReportRoomRequestObject) (api.ReportRoomResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	if err := s.reports.ReportRoom(ctx, accounts.Caller(ctx).UserID, room, r.Body.Reason); err != nil {
		return nil, err
	}
	return api.ReportRoom200JSONResponse{}, nil
}

// ReportUser serves POST /_matrix/client/v3/users/{userId}/report.
func (s *Server) ReportUser(ctx context.Context, r api.ReportUserRequestObject) (api.ReportUserResponseObject, error) {
	user, err := mxid.ParseUserID(r.UserId)
	if err != nil {
		return nil, err
	}
	if err := s.reports.ReportUser(ctx, accounts.Caller(ctx).UserID, user, r.Body.Reason); err != nil {
		return nil, err
	}
	return api.ReportUser200JSONResponse{}, nil
}
