package clientapi

import (
	"context"

	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/directory"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// directoryCaller is the caller as the room directory sees them.
func directoryCaller(ctx context.Context) directory.Caller {
	p := accounts.Caller(ctx)
	return directory.Caller{User: p.UserID, IsAdmin: p.IsAdmin}
}

// SetRoomAlias serves PUT /_matrix/client/v3/directory/room/{roomAlias}.
func (s *Server) SetRoomAlias(ctx context.Context, r api.SetRoomAliasRequestObject) (api.SetRoomAliasResponseObject, error) {
	alias, err := mxid.ParseRoomAlias(r.RoomAlias)
	if err != nil {
		return nil, err
	}
	room, err := mxid.ParseRoomID(r.Body.RoomId)
	if err != nil {
		return nil, err
	}
	if err := s.dir.SetAlias(ctx, directoryCaller(ctx), alias, room); err != nil {
		return nil, err
	}
	return api.SetRoomAlias200JSONResponse{}, nil
}

// GetRoomIdByAlias serves GET /_matrix/client/v3/directory/room/{roomAlias}.
func (s *Server) GetRoomIdByAlias(ctx context.Context, r api.GetRoomIdByAliasRequestObject) (api.GetRoomIdByAliasResponseObject, error) {
	alias, err := mxid.ParseRoomAlias(r.RoomAlias)
	if err != nil {
		return nil, err
	}
	room, servers, err := s.dir.ResolveAlias(ctx, alias)
	if err != nil {
		return nil, err
	}
	return api.GetRoomIdByAlias200JSONResponse{RoomId: ptr(string(room)), Servers: &servers}, nil
}

// DeleteRoomAlias serves DELETE /_matrix/client/v3/directory/room/{roomAlias}.
func (s *Server) DeleteRoomAlias(ctx context.Context, r api.DeleteRoomAliasRequestObject) (api.DeleteRoomAliasResponseObject, error) {
	alias, err := mxid.ParseRoomAlias(r.RoomAlias)
	if err != nil {
		return nil, err
	}
	if err := s.dir.DeleteAlias(ctx, directoryCaller(ctx), alias); err != nil {
		return nil, err
	}
	return api.DeleteRoomAlias200JSONResponse{}, nil
}

// GetLocalAliases serves GET /_matrix/client/v3/rooms/{roomId}/aliases.
func (s *Server) GetLocalAliases(ctx context.Context, r api.GetLocalAliasesRequestObject) (api.GetLocalAliasesResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	aliases, err := s.dir.LocalAliases(ctx, directoryCaller(ctx), room)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(aliases))
	for i, a := range aliases {
		out[i] = string(a)
	}
	return api.GetLocalAliases200JSONResponse{Aliases: out}, nil
}

// GetRoomVisibilityOnDirectory serves
// GET /_matrix/client/v3/directory/list/room/{roomId}.
func (s *Server) GetRoomVisibilityOnDirectory(ctx context.Context, r api.GetRoomVisibilityOnDirectoryRequestObject) (api.GetRoomVisibilityOnDirectoryResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	public, err := s.dir.Visibility(ctx, room)
	if err != nil {
		return nil, err
	}
	v := api.GetRoomVisibilityOnDirectory200JSONResponseBodyVisibilityPrivate
	if public {
		v = api.GetRoomVisibilityOnDirectory200JSONResponseBodyVisibilityPublic
	}
	return api.GetRoomVisibilityOnDirectory200JSONResponse{Visibility: &v}, nil
}

// SetRoomVisibilityOnDirectory serves
// PUT /_matrix/client/v3/directory/list/room/{roomId}.
func (s *Server) SetRoomVisibilityOnDirectory(ctx context.Context, r api.SetRoomVisibilityOnDirectoryRequestObject) (api.SetRoomVisibilityOnDirectoryResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	// The visibility defaults to public (v1.19).
	public := r.Body.Visibility == nil || *r.Body.Visibility == api.SetRoomVisibilityOnDirectoryJSONBodyVisibilityPublic
	if err := s.dir.SetVisibility(ctx, directoryCaller(ctx), room, public); err != nil {
		return nil, err
	}
	return api.SetRoomVisibilityOnDirectory200JSONResponse{}, nil
}

// GetPublicRooms serves GET /_matrix/client/v3/publicRooms.
func (s *Server) GetPublicRooms(ctx context.Context, r api.GetPublicRoomsRequestObject) (api.GetPublicRoomsResponseObject, error) {
	page, err := s.dir.PublicRooms(ctx, directory.Query{
		Server: deref(r.Params.Server), Limit: deref(r.Params.Limit), Since: deref(r.Params.Since),
	})
	if err != nil {
		return nil, err
	}
	return api.GetPublicRooms200JSONResponse(publicRoomsResponse(page)), nil
}

// QueryPublicRooms serves POST /_matrix/client/v3/publicRooms.
func (s *Server) QueryPublicRooms(ctx context.Context, r api.QueryPublicRoomsRequestObject) (api.QueryPublicRoomsResponseObject, error) {
	b := r.Body
	q := directory.Query{
		Server: deref(r.Params.Server), Limit: deref(b.Limit), Since: deref(b.Since),
		IncludeAllNetworks: deref(b.IncludeAllNetworks), ThirdPartyInstanceID: deref(b.ThirdPartyInstanceId),
	}
	if f := b.Filter; f != nil {
		q.Search = deref(f.GenericSearchTerm)
		if f.RoomTypes != nil {
			q.RoomTypes = append([]*string{}, *f.RoomTypes...)
		}
	}
	page, err := s.dir.PublicRooms(ctx, q)
	if err != nil {
		return nil, err
	}
	return api.QueryPublicRooms200JSONResponse(publicRoomsResponse(page)), nil
}

func publicRoomsResponse(p *directory.Page) api.PublicRoomsResponse {
	chunk := make([]api.PublishedRoomsChunk, len(p.Rooms))
	for i, r := range p.Rooms {
		chunk[i] = api.PublishedRoomsChunk{
			RoomId: string(r.RoomID), Name: optional(r.Name), Topic: optional(r.Topic),
			CanonicalAlias: optional(string(r.CanonicalAlias)), AvatarUrl: optional(r.AvatarURL),
			NumJoinedMembers: r.JoinedMembers, WorldReadable: r.WorldReadable(), GuestCanJoin: r.GuestCanJoin(),
			JoinRule: optional(r.JoinRule), RoomType: optional(r.RoomType),
		}
	}
	return api.PublicRoomsResponse{
		Chunk: chunk, NextBatch: optional(p.NextBatch), PrevBatch: optional(p.PrevBatch), TotalRoomCountEstimate: &p.Total,
	}
}

// roomOrAlias reads a room ID, or resolves an alias (of any server) through
// the directory.
func (s *Server) roomOrAlias(ctx context.Context, idOrAlias string) (id.RoomID, error) {
	if len(idOrAlias) > 0 && idOrAlias[0] == '#' {
		alias, err := mxid.ParseRoomAlias(idOrAlias)
		if err != nil {
			return "", err
		}
		room, _, err := s.dir.ResolveAlias(ctx, alias)
		return room, err
	}
	return mxid.ParseRoomID(idOrAlias)
}
