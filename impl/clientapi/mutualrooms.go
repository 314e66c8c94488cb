package clientapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// GetMutualRooms serves GET /_matrix/client/v1/mutual_rooms.
func (s *Server) GetMutualRooms(ctx context.Context, r api.GetMutualRoomsRequestObject) (api.GetMutualRoomsResponseObject, error) {
	other, err := mxid.ParseUserID(r.Params.UserId)
	if err != nil {
		return nil, err
	}
	page, err := s.rooms.MutualRooms(ctx, accounts.Caller(ctx).UserID, other, deref(r.Params.From))
	if err != nil {
		return nil, err
	}
	joined := make([]string, len(page.Rooms))
	for i, room := range page.Rooms {
		joined[i] = string(room)
	}
	return api.GetMutualRooms200JSONResponse{Joined: joined, Count: page.Count, NextBatch: optional(page.NextBatch)}, nil
}
