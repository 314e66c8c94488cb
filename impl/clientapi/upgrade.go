package clientapi

import (
	"context"

	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/rooms"
)

// UpgradeRoom serves POST /_matrix/client/v3/rooms/{roomId}/upgrade.
func (s *Server) UpgradeRoom(ctx context.Context, r api.UpgradeRoomRequestObject) (api.UpgradeRoomResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	p := rooms.UpgradeParams{Room: room, User: accounts.Caller(ctx).UserID, Version: id.RoomVersion(r.Body.NewVersion)}
	for _, u := range deref(r.Body.AdditionalCreators) {
		user, err := mxid.ParseUserID(u)
		if err != nil {
			return nil, err
		}
		p.AdditionalCreators = append(p.AdditionalCreators, user)
	}
	newRoom, err := s.rooms.Upgrade(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.UpgradeRoom200JSONResponse{ReplacementRoom: string(newRoom)}, nil
}
