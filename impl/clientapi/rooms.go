package clientapi

import (
	"context"

	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/rooms/timeline"
)

// viewer is the caller as a reader of events.
func viewer(ctx context.Context) timeline.Viewer {
	who := accounts.Caller(ctx)
	return timeline.Viewer{User: who.UserID, Device: who.DeviceID}
}

// CreateRoom serves POST /_matrix/client/v3/createRoom.
func (s *Server) CreateRoom(ctx context.Context, r api.CreateRoomRequestObject) (api.CreateRoomResponseObject, error) {
	b := r.Body
	if b.Invite3pid != nil && len(*b.Invite3pid) > 0 {
		return nil, mxerr.New(mxerr.ServerNotTrusted, "this server does not use identity servers, so it cannot invite by third-party identifier")
	}
	p := rooms.CreateParams{
		Creator:            accounts.Caller(ctx).UserID,
		Version:            id.RoomVersion(deref(b.RoomVersion)),
		Public:             b.Visibility != nil && *b.Visibility == api.CreateRoomJSONBodyVisibilityPublic,
		AliasName:          deref(b.RoomAliasName),
		Name:               b.Name,
		Topic:              b.Topic,
		IsDirect:           deref(b.IsDirect),
		CreationContent:    b.CreationContent,
		PowerLevelOverride: b.PowerLevelContentOverride,
	}
	if b.Preset != nil {
		p.Preset = string(*b.Preset)
	}
	for _, u := range deref(b.Invite) {
		user, err := mxid.ParseUserID(u)
		if err != nil {
			return nil, err
		}
		p.Invite = append(p.Invite, user)
	}
	for _, st := range deref(b.InitialState) {
		p.InitialState = append(p.InitialState, rooms.StateEvent{Type: st.Type, StateKey: deref(st.StateKey), Content: st.Content})
	}
	roomID, err := s.rooms.Create(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.CreateRoom200JSONResponse{RoomId: string(roomID)}, nil
}

// GetJoinedRooms serves GET /_matrix/client/v3/joined_rooms.
func (s *Server) GetJoinedRooms(ctx context.Context, _ api.GetJoinedRoomsRequestObject) (api.GetJoinedRoomsResponseObject, error) {
	joined, err := s.rooms.JoinedRooms(ctx, accounts.Caller(ctx).UserID)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(joined))
	for i, r := range joined {
		out[i] = string(r)
	}
	return api.GetJoinedRooms200JSONResponse{JoinedRooms: out}, nil
}
