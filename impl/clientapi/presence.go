package clientapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// SetPresence serves PUT /_matrix/client/v3/presence/{userId}/status.
func (s *Server) SetPresence(ctx context.Context, r api.SetPresenceRequestObject) (api.SetPresenceResponseObject, error) {
	user, err := s.ownUser(ctx, r.UserId)
	if err != nil {
		return nil, err
	}
	if err := s.eph.PutPresence(ctx, user, string(r.Body.Presence), r.Body.StatusMsg); err != nil {
		return nil, err
	}
	return api.SetPresence200JSONResponse{}, nil
}

// GetPresence serves GET /_matrix/client/v3/presence/{userId}/status.
func (s *Server) GetPresence(ctx context.Context, r api.GetPresenceRequestObject) (api.GetPresenceResponseObject, error) {
	user, err := mxid.ParseUserID(r.UserId)
	if err != nil {
		return nil, err
	}
	st, err := s.eph.GetPresence(ctx, accounts.Caller(ctx).UserID, user)
	if err != nil {
		return nil, err
	}
	resp := api.GetPresence200JSONResponse{
		Presence:        api.GetPresence200JSONResponseBodyPresence(st.Presence),
		StatusMsg:       st.StatusMsg,
		CurrentlyActive: st.CurrentlyActive,
	}
	if st.LastActiveAgo != nil {
		ms := int(st.LastActiveAgo.Milliseconds())
		resp.LastActiveAgo = &ms
	}
	return resp, nil
}
