package clientapi

import (
	"context"
	"time"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// SetTyping serves PUT /_matrix/client/v3/rooms/{roomId}/typing/{userId}.
func (s *Server) SetTyping(ctx context.Context, r api.SetTypingRequestObject) (api.SetTypingResponseObject, error) {
	user, err := s.ownUser(ctx, r.UserId)
	if err != nil {
		return nil, err
	}
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	timeout := time.Duration(deref(r.Body.Timeout)) * time.Millisecond
	if err := s.eph.SetTyping(ctx, user, room, r.Body.Typing, timeout); err != nil {
		return nil, err
	}
	return api.SetTyping200JSONResponse{}, nil
}
