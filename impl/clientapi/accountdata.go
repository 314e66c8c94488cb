package clientapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/push"
)

// SetAccountData serves PUT /_matrix/client/v3/user/{userId}/account_data/{type}.
func (s *Server) SetAccountData(ctx context.Context, r api.SetAccountDataRequestObject) (api.SetAccountDataResponseObject, error) {
	user, err := s.ownUser(ctx, r.UserId)
	if err != nil {
		return nil, err
	}
	if err := s.acctData.SetGlobal(ctx, user, r.Type, *r.Body); err != nil {
		return nil, err
	}
	return api.SetAccountData200JSONResponse{}, nil
}

// GetAccountData serves GET /_matrix/client/v3/user/{userId}/account_data/{type}.
func (s *Server) GetAccountData(ctx context.Context, r api.GetAccountDataRequestObject) (api.GetAccountDataResponseObject, error) {
	user, err := s.ownUser(ctx, r.UserId)
	if err != nil {
		return nil, err
	}
	if r.Type == push.AccountDataType {
		// The server's default rules merged with the user's own: stored
		// account data has them only once the user changed a rule.
		rs, err := s.push.Rules(ctx, user)
		if err != nil {
			return nil, err
		}
		return api.GetAccountData200JSONResponse(rs.JSON()), nil
	}
	content, err := s.acctData.Global(ctx, user, r.Type)
	if err != nil {
		return nil, err
	}
	return api.GetAccountData200JSONResponse(content), nil
}

// SetAccountDataPerRoom serves PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}.
func (s *Server) SetAccountDataPerRoom(ctx context.Context, r api.SetAccountDataPerRoomRequestObject) (api.SetAccountDataPerRoomResponseObject, error) {
	user, err := s.ownUser(ctx, r.UserId)
	if err != nil {
		return nil, err
	}
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	if err := s.acctData.SetRoom(ctx, user, room, r.Type, *r.Body); err != nil {
		return nil, err
	}
	return api.SetAccountDataPerRoom200JSONResponse{}, nil
}

// GetAccountDataPerRoom serves GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}.
func (s *Server) GetAccountDataPerRoom(ctx context.Context, r api.GetAccountDataPerRoomRequestObject) (api.GetAccountDataPerRoomResponseObject, error) {
	user, err := s.ownUser(ctx, r.UserId)
	if err != nil {
		return nil, err
	}
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	content, err := s.acctData.Room(ctx, user, room, r.Type)
	if err != nil {
		return nil, err
	}
	return api.GetAccountDataPerRoom200JSONResponse(content), nil
}

// GetRoomTags serves GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags.
func (s *Server) GetRoomTags(ctx context.Context, r api.GetRoomTagsRequestObject) (api.GetRoomTagsResponseObject, error) {
	user, err := s.ownUser(ctx, r.UserId)
	if err != nil {
		return nil, err
	}
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	body, err := s.acctData.Tags(ctx, user, room)
	if err != nil {
		return nil, err
	}
	return api.GetRoomTags200JSONResponse(body), nil
}

// SetRoomTag serves PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag}.
func (s *Server) SetRoomTag(ctx context.Context, r api.SetRoomTagRequestObject) (api.SetRoomTagResponseObject, error) {
	user, err := s.ownUser(ctx, r.UserId)
	if err != nil {
		return nil, err
	}
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	if err := s.acctData.SetTag(ctx, user, room, r.Tag, *r.Body); err != nil {
		return nil, err
	}
	return api.SetRoomTag200JSONResponse{}, nil
}

// DeleteRoomTag serves DELETE /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag}.
func (s *Server) DeleteRoomTag(ctx context.Context, r api.DeleteRoomTagRequestObject) (api.DeleteRoomTagResponseObject, error) {
	user, err := s.ownUser(ctx, r.UserId)
	if err != nil {
		return nil, err
	}
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	if err := s.acctData.DeleteTag(ctx, user, room, r.Tag); err != nil {
		return nil, err
	}
	return api.DeleteRoomTag200JSONResponse{}, nil
}
