package clientapi

import (
	"context"
	"encoding/json"
	"time"

	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/syncer"
)

// Sync serves GET /_matrix/client/v3/sync.
func (s *Server) Sync(ctx context.Context, r api.SyncRequestObject) (api.SyncResponseObject, error) {
	who := accounts.Caller(ctx)
	p := r.Params
	req := syncer.Request{
		User: who.UserID, Device: who.DeviceID,
		Since: deref(p.Since), Filter: deref(p.Filter),
		FullState: deref(p.FullState), UseStateAfter: deref(p.UseStateAfter),
		Timeout: time.Duration(deref(p.Timeout)) * time.Millisecond,
	}
	if p.SetPresence != nil {
		req.SetPresence = string(*p.SetPresence)
	}
	body, err := s.sync.Sync(ctx, req)
	if err != nil {
		return nil, err
	}
	return api.Sync200JSONResponse(body), nil
}

// DefineFilter serves POST /_matrix/client/v3/user/{userId}/filter.
func (s *Server) DefineFilter(ctx context.Context, r api.DefineFilterRequestObject) (api.DefineFilterResponseObject, error) {
	user, err := s.ownUser(ctx, r.UserId)
	if err != nil {
		return nil, err
	}
	filterID, err := s.sync.SaveFilter(ctx, user, *r.Body)
	if err != nil {
		return nil, err
	}
	return api.DefineFilter200JSONResponse{FilterId: filterID}, nil
}

// GetFilter serves GET /_matrix/client/v3/user/{userId}/filter/{filterId}.
func (s *Server) GetFilter(ctx context.Context, r api.GetFilterRequestObject) (api.GetFilterResponseObject, error) {
	user, err := s.ownUser(ctx, r.UserId)
	if err != nil {
		return nil, err
	}
	raw, err := s.sync.Filter(ctx, user, r.FilterId)
	if err != nil {
		return nil, err
	}
	return api.GetFilter200JSONResponse(json.RawMessage(raw)), nil
}

// ownUser reads a user ID path parameter that must be the caller's own.
func (s *Server) ownUser(ctx context.Context, raw string) (id.UserID, error) {
	user, err := mxid.ParseUserID(raw)
	if err != nil {
		return "", err
	}
	if user != accounts.Caller(ctx).UserID {
		return "", mxerr.New(mxerr.Forbidden, "you can only act for yourself")
	}
	return user, nil
}
