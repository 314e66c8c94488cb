package clientapi

import (
	"context"
	"encoding/json"
	"strings"

	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/rooms"
)

// resolveRoom reads a room ID, or resolves a room alias to one.
func (s *Server) resolveRoom(ctx context.Context, idOrAlias string) (id.RoomID, error) {
	if strings.HasPrefix(idOrAlias, "#") {
		alias, err := mxid.ParseRoomAlias(idOrAlias)
		if err != nil {
			return "", err
		}
		return s.rooms.ResolveAlias(ctx, alias)
	}
	return mxid.ParseRoomID(idOrAlias)
}

// membership reads the room and target of a membership request.
func membership(ctx context.Context, roomID, target string, reason *string) (rooms.MembershipParams, error) {
	room, err := mxid.ParseRoomID(roomID)
	if err != nil {
		return rooms.MembershipParams{}, err
	}
	p := rooms.MembershipParams{Room: room, Sender: accounts.Caller(ctx).UserID, Reason: deref(reason)}
	if target != "" {
		if p.Target, err = mxid.ParseUserID(target); err != nil {
			return rooms.MembershipParams{}, err
		}
	}
	return p, nil
}

// JoinRoom serves POST /_matrix/client/v3/join/{roomIdOrAlias}.
func (s *Server) JoinRoom(ctx context.Context, r api.JoinRoomRequestObject) (api.JoinRoomResponseObject, error) {
	room, err := s.resolveRoom(ctx, r.RoomIdOrAlias)
	if err != nil {
		return nil, err
	}
	reason := (*string)(nil)
	if r.Body != nil {
		reason = r.Body.Reason
	}
	p, err := membership(ctx, string(room), "", reason)
	if err != nil {
		return nil, err
	}
	if err := s.rooms.Join(ctx, p); err != nil {
		return nil, err
	}
	return api.JoinRoom200JSONResponse{RoomId: string(room)}, nil
}

// JoinRoomById serves POST /_matrix/client/v3/rooms/{roomId}/join.
func (s *Server) JoinRoomById(ctx context.Context, r api.JoinRoomByIdRequestObject) (api.JoinRoomByIdResponseObject, error) {
	reason := (*string)(nil)
	if r.Body != nil {
		reason = r.Body.Reason
	}
	p, err := membership(ctx, r.RoomId, "", reason)
	if err != nil {
		return nil, err
	}
	if err := s.rooms.Join(ctx, p); err != nil {
		return nil, err
	}
	return api.JoinRoomById200JSONResponse{RoomId: string(p.Room)}, nil
}

// KnockRoom serves POST /_matrix/client/v3/knock/{roomIdOrAlias}.
func (s *Server) KnockRoom(ctx context.Context, r api.KnockRoomRequestObject) (api.KnockRoomResponseObject, error) {
	room, err := s.resolveRoom(ctx, r.RoomIdOrAlias)
	if err != nil {
		return nil, err
	}
	p, err := membership(ctx, string(room), "", r.Body.Reason)
	if err != nil {
		return nil, err
	}
	if err := s.rooms.Knock(ctx, p); err != nil {
		return nil, err
	}
	return api.KnockRoom200JSONResponse{RoomId: string(room)}, nil
}

// InviteUser serves POST /_matrix/client/v3/rooms/{roomId}/invite.
func (s *Server) InviteUser(ctx context.Context, r api.InviteUserRequestObject) (api.InviteUserResponseObject, error) {
	var body api.InviteUserBody
	if err := json.Unmarshal(*r.Body, &body); err != nil || body.UserId == "" {
		// The other form of the body invites by third-party identifier.
		return nil, mxerr.New(mxerr.ServerNotTrusted, "this server does not use identity servers, so it cannot invite by third-party identifier")
	}
	p, err := membership(ctx, r.RoomId, body.UserId, body.Reason)
	if err != nil {
		return nil, err
	}
	if err := s.rooms.Invite(ctx, p); err != nil {
		return nil, err
	}
	return api.InviteUser200JSONResponse{}, nil
}

// LeaveRoom serves POST /_matrix/client/v3/rooms/{roomId}/leave.
func (s *Server) LeaveRoom(ctx context.Context, r api.LeaveRoomRequestObject) (api.LeaveRoomResponseObject, error) {
	reason := (*string)(nil)
	if r.Body != nil {
		reason = r.Body.Reason
	}
	p, err := membership(ctx, r.RoomId, "", reason)
	if err != nil {
		return nil, err
	}
	if err := s.rooms.Leave(ctx, p); err != nil {
		return nil, err
	}
	return api.LeaveRoom200JSONResponse{}, nil
}

// ForgetRoom serves POST /_matrix/client/v3/rooms/{roomId}/forget.
func (s *Server) ForgetRoom(ctx context.Context, r api.ForgetRoomRequestObject) (api.ForgetRoomResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	if err := s.rooms.Forget(ctx, room, accounts.Caller(ctx).UserID); err != nil {
		return nil, err
	}
	return api.ForgetRoom200JSONResponse{}, nil
}

// Kick serves POST /_matrix/client/v3/rooms/{roomId}/kick.
func (s *Server) Kick(ctx context.Context, r api.KickRequestObject) (api.KickResponseObject, error) {
	p, err := membership(ctx, r.RoomId, r.Body.UserId, r.Body.Reason)
	if err != nil {
		return nil, err
	}
	if err := s.rooms.Kick(ctx, p); err != nil {
		return nil, err
	}
	return api.Kick200JSONResponse{}, nil
}

// Ban serves POST /_matrix/client/v3/rooms/{roomId}/ban.
func (s *Server) Ban(ctx context.Context, r api.BanRequestObject) (api.BanResponseObject, error) {
	p, err := membership(ctx, r.RoomId, r.Body.UserId, r.Body.Reason)
	if err != nil {
		return nil, err
	}
	if err := s.rooms.Ban(ctx, p); err != nil {
		return nil, err
	}
	return api.Ban200JSONResponse{}, nil
}

// Unban serves POST /_matrix/client/v3/rooms/{roomId}/unban.
func (s *Server) Unban(ctx context.Context, r api.UnbanRequestObject) (api.UnbanResponseObject, error) {
	p, err := membership(ctx, r.RoomId, r.Body.UserId, r.Body.Reason)
	if err != nil {
		return nil, err
	}
	if err := s.rooms.Unban(ctx, p); err != nil {
		return nil, err
	}
	return api.Unban200JSONResponse{}, nil
}
