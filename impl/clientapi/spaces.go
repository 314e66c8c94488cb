package clientapi

import (
	"context"

	"maunium.net/go/mautrix/event"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/directory"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// GetSpaceHierarchy serves GET /_matrix/client/v1/rooms/{roomId}/hierarchy.
func (s *Server) GetSpaceHierarchy(ctx context.Context, r api.GetSpaceHierarchyRequestObject) (api.GetSpaceHierarchyResponseObject, error) {
	root, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	page, err := s.dir.Hierarchy(ctx, directoryCaller(ctx), directory.HierarchyQuery{
		Root: root, SuggestedOnly: deref(r.Params.SuggestedOnly), Limit: r.Params.Limit, MaxDepth: r.Params.MaxDepth,
		From: deref(r.Params.From),
	})
	if err != nil {
		return nil, err
	}
	rooms := make([]api.GetSpaceHierarchy200JSONResponseBody_Rooms, len(page.Rooms))
	for i, room := range page.Rooms {
		rooms[i] = hierarchyRoom(room)
	}
	return api.GetSpaceHierarchy200JSONResponse{Rooms: rooms, NextBatch: optional(page.NextBatch)}, nil
}

func hierarchyRoom(r directory.HierarchyRoom) api.GetSpaceHierarchy200JSONResponseBody_Rooms {
	out := api.GetSpaceHierarchy200JSONResponseBody_Rooms{
		RoomId: string(r.RoomID), Name: optional(r.Name), Topic: optional(r.Topic),
		CanonicalAlias: optional(string(r.CanonicalAlias)), AvatarUrl: optional(r.AvatarURL),
		NumJoinedMembers: r.JoinedMembers, WorldReadable: r.WorldReadable(), GuestCanJoin: r.GuestCanJoin(),
		JoinRule: optional(r.JoinRule), RoomType: optional(r.RoomType), RoomVersion: optional(string(r.Version)),
		ChildrenState: make([]api.GetSpaceHierarchy200JSONResponseBody_Rooms_ChildrenState, len(r.Children)),
	}
	if r.Encryption != "" {
		out.Encryption = ptr(api.GetSpaceHierarchy200JSONResponseBodyRoomsEncryption(r.Encryption))
	}
	if len(r.AllowedRoomIDs) > 0 {
		allowed := make([]string, len(r.AllowedRoomIDs))
		for i, a := range r.AllowedRoomIDs {
			allowed[i] = string(a)
		}
		out.AllowedRoomIds = &allowed
	}
	for i, ch := range r.Children {
		out.ChildrenState[i] = api.GetSpaceHierarchy200JSONResponseBody_Rooms_ChildrenState{
			Type: event.StateSpaceChild.Type, StateKey: string(ch.Room), Sender: string(ch.Sender),
			OriginServerTs: ch.OriginServerTS, Content: ch.Content,
		}
	}
	return out
}
