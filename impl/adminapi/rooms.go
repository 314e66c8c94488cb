package adminapi

import (
	"context"

	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/synapseadmin"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/admin"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// ListRooms serves GET /_synapse/admin/v1/rooms.
func (s *Server) ListRooms(ctx context.Context, r api.ListRoomsRequestObject) (api.ListRoomsResponseObject, error) {
	p := r.Params
	q := admin.RoomQuery{Search: deref(p.SearchTerm), Public: p.PublicRooms, Empty: p.EmptyRooms, OrderBy: "name",
		Descending: deref(p.Dir) == "b", Offset: deref(p.From), Limit: limitOf(p.Limit)}
	if p.OrderBy != nil {
		q.OrderBy = string(*p.OrderBy)
	}
	rooms, total, err := s.admin.Rooms(ctx, accounts.Caller(ctx), q)
	if err != nil {
		return nil, err
	}
	out := api.ListRooms200JSONResponse{Rooms: make([]api.Room, len(rooms)), Offset: q.Offset, TotalRooms: int(total),
		NextBatch: nextToken(q.Offset, len(rooms), total)}
	for i, room := range rooms {
		out.Rooms[i] = roomEntry(room)
	}
	if q.Offset > 0 {
		out.PrevBatch = new(max(q.Offset-q.Limit, 0))
	}
	return out, nil
}

// GetRoom serves GET /_synapse/admin/v1/rooms/{roomId}.
func (s *Server) GetRoom(ctx context.Context, r api.GetRoomRequestObject) (api.GetRoomResponseObject, error) {
	room, err := mxid.ParseRoomID(string(r.RoomId))
	if err != nil {
		return nil, err
	}
	d, err := s.admin.Room(ctx, accounts.Caller(ctx), room)
	if err != nil {
		return nil, err
	}
	e := roomEntry(d.Room)
	return api.GetRoom200JSONResponse{
		RoomId: e.RoomId, Name: e.Name, CanonicalAlias: e.CanonicalAlias, JoinedMembers: e.JoinedMembers,
		JoinedLocalMembers: e.JoinedLocalMembers, Version: e.Version, Creator: e.Creator, Encryption: e.Encryption,
		Federatable: e.Federatable, Public: e.Public, JoinRules: e.JoinRules, GuestAccess: e.GuestAccess,
		HistoryVisibility: e.HistoryVisibility, StateEvents: e.StateEvents, RoomType: e.RoomType,
		Topic: d.Topic, Avatar: d.Avatar, JoinedLocalDevices: d.JoinedLocalDevices, Blocked: d.Blocked,
	}, nil
}

// ListRoomMembers serves GET /_synapse/admin/v1/rooms/{roomId}/members.
func (s *Server) ListRoomMembers(ctx context.Context, r api.ListRoomMembersRequestObject) (api.ListRoomMembersResponseObject, error) {
	room, err := mxid.ParseRoomID(string(r.RoomId))
	if err != nil {
		return nil, err
	}
	members, err := s.admin.RoomMembers(ctx, accounts.Caller(ctx), room)
	if err != nil {
		return nil, err
	}
	out := api.ListRoomMembers200JSONResponse{Members: make([]string, len(members)), Total: len(members)}
	for i, m := range members {
		out.Members[i] = string(m)
	}
	return out, nil
}

// GetRoomState serves GET /_synapse/admin/v1/rooms/{roomId}/state.
func (s *Server) GetRoomState(ctx context.Context, r api.GetRoomStateRequestObject) (api.GetRoomStateResponseObject, error) {
	room, err := mxid.ParseRoomID(string(r.RoomId))
	if err != nil {
		return nil, err
	}
	evs, err := s.admin.RoomState(ctx, accounts.Caller(ctx), room)
	if err != nil {
		return nil, err
	}
	return api.GetRoomState200JSONResponse{State: evs}, nil
}

// GetRoomBlock serves GET /_synapse/admin/v1/rooms/{roomId}/block.
func (s *Server) GetRoomBlock(ctx context.Context, r api.GetRoomBlockRequestObject) (api.GetRoomBlockResponseObject, error) {
	room, err := mxid.ParseRoomID(string(r.RoomId))
	if err != nil {
		return nil, err
	}
	blocked, by, err := s.admin.RoomBlock(ctx, accounts.Caller(ctx), room)
	if err != nil {
		return nil, err
	}
	return api.GetRoomBlock200JSONResponse{Block: blocked, UserId: strPtr(by)}, nil
}

// SetRoomBlock serves PUT /_synapse/admin/v1/rooms/{roomId}/block.
func (s *Server) SetRoomBlock(ctx context.Context, r api.SetRoomBlockRequestObject) (api.SetRoomBlockResponseObject, error) {
	room, err := mxid.ParseRoomID(string(r.RoomId))
	if err != nil {
		return nil, err
	}
	if err := s.admin.BlockRoom(ctx, accounts.Caller(ctx), room, r.Body.Block); err != nil {
		return nil, err
	}
	return api.SetRoomBlock200JSONResponse{Block: r.Body.Block}, nil
}

// deleteParams reads a deletion request; purging is the default, as in
// Synapse.
func deleteParams(b *api.DeleteRoomRequest) (admin.DeleteParams, error) {
	p := admin.DeleteParams{Purge: true}
	if b == nil {
		return p, nil
	}
	if b.NewRoomUserId != nil && *b.NewRoomUserId != "" {
		user, err := mxid.ParseUserID(*b.NewRoomUserId)
		if err != nil {
			return p, err
		}
		p.NewRoomUserID = user
	}
	p.RoomName, p.Message, p.Block = deref(b.RoomName), deref(b.Message), deref(b.Block)
	if b.Purge != nil {
		p.Purge = *b.Purge
	}
	return p, nil
}

func parseRoomAndDeletion(roomID string, b *api.DeleteRoomRequest) (id.RoomID, admin.DeleteParams, error) {
	room, err := mxid.ParseRoomID(roomID)
	if err != nil {
		return "", admin.DeleteParams{}, err
	}
	p, err := deleteParams(b)
	return room, p, err
}

// DeleteRoom serves DELETE /_synapse/admin/v2/rooms/{roomId}.
func (s *Server) DeleteRoom(ctx context.Context, r api.DeleteRoomRequestObject) (api.DeleteRoomResponseObject, error) {
	room, p, err := parseRoomAndDeletion(string(r.RoomId), r.Body)
	if err != nil {
		return nil, err
	}
	deleteID, err := s.admin.DeleteRoom(ctx, accounts.Caller(ctx), room, p)
	if err != nil {
		return nil, err
	}
	return api.DeleteRoom200JSONResponse{DeleteId: deleteID}, nil
}

// DeleteRoomV1 serves DELETE /_synapse/admin/v1/rooms/{roomId}.
func (s *Server) DeleteRoomV1(ctx context.Context, r api.DeleteRoomV1RequestObject) (api.DeleteRoomV1ResponseObject, error) {
	room, p, err := parseRoomAndDeletion(string(r.RoomId), r.Body)
	if err != nil {
		return nil, err
	}
	res, err := s.admin.DeleteRoomNow(ctx, accounts.Caller(ctx), room, p)
	if err != nil {
		return nil, err
	}
	return api.DeleteRoomV1200JSONResponse(shutdownResult(res)), nil
}

// GetRoomDeleteStatuses serves GET /_synapse/admin/v2/rooms/{roomId}/delete_status.
func (s *Server) GetRoomDeleteStatuses(ctx context.Context, r api.GetRoomDeleteStatusesRequestObject) (api.GetRoomDeleteStatusesResponseObject, error) {
	room, err := mxid.ParseRoomID(string(r.RoomId))
	if err != nil {
		return nil, err
	}
	ds, err := s.admin.DeleteStatuses(ctx, accounts.Caller(ctx), room)
	if err != nil {
		return nil, err
	}
	out := api.GetRoomDeleteStatuses200JSONResponse{Results: make([]api.DeleteStatus, len(ds))}
	for i, d := range ds {
		out.Results[i] = deleteStatus(d)
	}
	return out, nil
}

// GetDeleteStatus serves GET /_synapse/admin/v2/rooms/delete_status/{deleteId}.
func (s *Server) GetDeleteStatus(ctx context.Context, r api.GetDeleteStatusRequestObject) (api.GetDeleteStatusResponseObject, error) {
	d, err := s.admin.DeleteStatus(ctx, accounts.Caller(ctx), r.DeleteId)
	if err != nil {
		return nil, err
	}
	return api.GetDeleteStatus200JSONResponse(deleteStatus(d)), nil
}
