package adminapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/synapseadmin"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/admin"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// SendServerNotice serves POST /_synapse/admin/v1/send_server_notice.
func (s *Server) SendServerNotice(ctx context.Context, r api.SendServerNoticeRequestObject) (api.SendServerNoticeResponseObject, error) {
	user, err := mxid.ParseUserID(r.Body.UserId)
	if err != nil {
		return nil, err
	}
	evID, err := s.admin.SendServerNotice(ctx, accounts.Caller(ctx), admin.Notice{User: user, Type: deref(r.Body.Type),
		StateKey: r.Body.StateKey, Content: r.Body.Content})
	if err != nil {
		return nil, err
	}
	return api.SendServerNotice200JSONResponse{EventId: string(evID)}, nil
}
