package clientapi

import (
	"context"

	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/ephemeral"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// PostReceipt serves POST /_matrix/client/v3/rooms/{roomId}/receipt/{receiptType}/{eventId}.
func (s *Server) PostReceipt(ctx context.Context, r api.PostReceiptRequestObject) (api.PostReceiptResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	ev, err := mxid.ParseEventID(r.EventId)
	if err != nil {
		return nil, err
	}
	req := ephemeral.ReceiptRequest{Type: string(r.ReceiptType), Event: ev}
	if r.Body != nil {
		req.ThreadID = r.Body.ThreadId
	}
	if err := s.eph.PostReceipt(ctx, accounts.Caller(ctx).UserID, room, req); err != nil {
		return nil, err
	}
	return api.PostReceipt200JSONResponse{}, nil
}

// SetReadMarker serves POST /_matrix/client/v3/rooms/{roomId}/read_markers.
func (s *Server) SetReadMarker(ctx context.Context, r api.SetReadMarkerRequestObject) (api.SetReadMarkerResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	var evs [3]id.EventID
	for i, raw := range []*string{r.Body.MFullyRead, r.Body.MRead, r.Body.MReadPrivate} {
		if raw == nil {
			continue
		}
		if evs[i], err = mxid.ParseEventID(*raw); err != nil {
			return nil, err
		}
	}
	if err := s.eph.SetReadMarkers(ctx, accounts.Caller(ctx).UserID, room, evs[0], evs[1], evs[2]); err != nil {
		return nil, err
	}
	return api.SetReadMarker200JSONResponse{}, nil
}
