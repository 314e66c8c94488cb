package clientapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/rooms/timeline"
)

// SendMessage serves
// PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}.
func (s *Server) SendMessage(ctx context.Context, r api.SendMessageRequestObject) (api.SendMessageResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	who := accounts.Caller(ctx)
	evID, err := s.rooms.Send(ctx, rooms.SendParams{
		Room: room, Sender: who.UserID, Device: who.DeviceID, TxnID: r.TxnId, Type: r.EventType, Content: *r.Body,
	})
	if err != nil {
		return nil, err
	}
	s.eph.Active(ctx, who.UserID)
	return api.SendMessage200JSONResponse{EventId: string(evID)}, nil
}

// RedactEvent serves
// PUT /_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}.
func (s *Server) RedactEvent(ctx context.Context, r api.RedactEventRequestObject) (api.RedactEventResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	target, err := mxid.ParseEventID(r.EventId)
	if err != nil {
		return nil, err
	}
	who := accounts.Caller(ctx)
	p := rooms.RedactParams{Room: room, Sender: who.UserID, Device: who.DeviceID, TxnID: r.TxnId, Target: target}
	if r.Body != nil {
		p.Reason = deref(r.Body.Reason)
	}
	evID, err := s.rooms.Redact(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.RedactEvent200JSONResponse{EventId: ptr(string(evID))}, nil
}

// GetOneRoomEvent serves GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}.
func (s *Server) GetOneRoomEvent(ctx context.Context, r api.GetOneRoomEventRequestObject) (api.GetOneRoomEventResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	evID, err := mxid.ParseEventID(r.EventId)
	if err != nil {
		return nil, err
	}
	rendered, err := s.timeline.Event(ctx, room, evID, viewer(ctx))
	if err != nil {
		return nil, err
	}
	return api.GetOneRoomEvent200JSONResponse(rendered), nil
}

// GetMembersByRoom serves GET /_matrix/client/v3/rooms/{roomId}/members.
func (s *Server) GetMembersByRoom(ctx context.Context, r api.GetMembersByRoomRequestObject) (api.GetMembersByRoomResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	q := timeline.MembersQuery{At: deref(r.Params.At)}
	if r.Params.Membership != nil {
		q.Membership = string(*r.Params.Membership)
	}
	if r.Params.NotMembership != nil {
		q.NotMembership = string(*r.Params.NotMembership)
	}
	rendered, err := s.timeline.Members(ctx, room, viewer(ctx), q)
	if err != nil {
		return nil, err
	}
	chunk := make([]api.ClientEvent, len(rendered))
	for i, e := range rendered {
		chunk[i] = api.ClientEvent(e)
	}
	return api.GetMembersByRoom200JSONResponse{Chunk: &chunk}, nil
}

// GetJoinedMembersByRoom serves
// GET /_matrix/client/v3/rooms/{roomId}/joined_members.
func (s *Server) GetJoinedMembersByRoom(ctx context.Context, r api.GetJoinedMembersByRoomRequestObject) (api.GetJoinedMembersByRoomResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	members, err := s.timeline.JoinedMembers(ctx, room, accounts.Caller(ctx).UserID)
	if err != nil {
		return nil, err
	}
	joined := make(map[string]api.GetJoinedMembersByRoom200JSONResponseBody_Joined, len(members))
	for user, p := range members {
		joined[string(user)] = api.GetJoinedMembersByRoom200JSONResponseBody_Joined{
			DisplayName: optional(p.DisplayName), AvatarUrl: optional(p.AvatarURL),
		}
	}
	return api.GetJoinedMembersByRoom200JSONResponse{Joined: &joined}, nil
}
