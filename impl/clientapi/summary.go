package clientapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/clientserver"
)

// GetRoomSummary serves GET /_matrix/client/v1/room_summary/{roomIdOrAlias}.
func (s *Server) GetRoomSummary(ctx context.Context, r api.GetRoomSummaryRequestObject) (api.GetRoomSummaryResponseObject, error) {
	room, err := s.roomOrAlias(ctx, r.RoomIdOrAlias)
	if err != nil {
		return nil, err
	}
	sum, membership, err := s.dir.RoomSummary(ctx, directoryCaller(ctx), room, deref(r.Params.Via))
	if err != nil {
		return nil, err
	}
	out := api.GetRoomSummary200JSONResponse{
		RoomId: string(sum.RoomID), Name: optional(sum.Name), Topic: optional(sum.Topic),
		CanonicalAlias: optional(string(sum.CanonicalAlias)), AvatarUrl: optional(sum.AvatarURL),
		NumJoinedMembers: sum.JoinedMembers, WorldReadable: sum.WorldReadable(), GuestCanJoin: sum.GuestCanJoin(),
		JoinRule: optional(sum.JoinRule), RoomType: optional(sum.RoomType), RoomVersion: optional(string(sum.Version)),
	}
	if sum.Encryption != "" {
		out.Encryption = ptr(api.GetRoomSummary200JSONResponseBodyEncryption(sum.Encryption))
	}
	if len(sum.AllowedRoomIDs) > 0 {
		allowed := make([]string, len(sum.AllowedRoomIDs))
		for i, a := range sum.AllowedRoomIDs {
			allowed[i] = string(a)
		}
		out.AllowedRoomIds = &allowed
	}
	if membership != "" {
		out.Membership = ptr(api.GetRoomSummary200JSONResponseBodyMembership(membership))
	}
	return out, nil
}
