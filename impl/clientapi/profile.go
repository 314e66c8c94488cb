package clientapi

import (
	"context"
	"encoding/json"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// GetUserProfile serves GET /_matrix/client/v3/profile/{userId}.
func (s *Server) GetUserProfile(ctx context.Context, r api.GetUserProfileRequestObject) (api.GetUserProfileResponseObject, error) {
	user, err := mxid.ParseUserID(r.UserId)
	if err != nil {
		return nil, err
	}
	p, err := s.profiles.Get(ctx, user)
	if err != nil {
		return nil, err
	}
	// Every field as its JSON value, the spec's three included.
	resp := api.GetUserProfile200JSONResponse{AdditionalProperties: map[string]any{}}
	for k, v := range p.All() {
		resp.AdditionalProperties[k] = v
	}
	return resp, nil
}

// GetProfileField serves GET /_matrix/client/v3/profile/{userId}/{keyName}.
func (s *Server) GetProfileField(ctx context.Context, r api.GetProfileFieldRequestObject) (api.GetProfileFieldResponseObject, error) {
	user, err := mxid.ParseUserID(r.UserId)
	if err != nil {
		return nil, err
	}
	v, err := s.profiles.Field(ctx, user, r.KeyName)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(map[string]json.RawMessage{r.KeyName: v})
	if err != nil {
		return nil, err
	}
	return api.GetProfileField200JSONResponse(body), nil
}

// SetProfileField serves PUT /_matrix/client/v3/profile/{userId}/{keyName}.
func (s *Server) SetProfileField(ctx context.Context, r api.SetProfileFieldRequestObject) (api.SetProfileFieldResponseObject, error) {
	user, err := mxid.ParseUserID(r.UserId)
	if err != nil {
		return nil, err
	}
	if err := s.profiles.Set(ctx, accounts.Caller(ctx), user, r.KeyName, *r.Body); err != nil {
		return nil, err
	}
	return api.SetProfileField200JSONResponse{}, nil
}

// DeleteProfileField serves
// DELETE /_matrix/client/v3/profile/{userId}/{keyName}.
func (s *Server) DeleteProfileField(ctx context.Context, r api.DeleteProfileFieldRequestObject) (api.DeleteProfileFieldResponseObject, error) {
	user, err := mxid.ParseUserID(r.UserId)
	if err != nil {
		return nil, err
	}
	if err := s.profiles.Delete(ctx, accounts.Caller(ctx), user, r.KeyName); err != nil {
		return nil, err
	}
	return api.DeleteProfileField200JSONResponse{}, nil
}
