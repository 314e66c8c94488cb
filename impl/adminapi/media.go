package adminapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/synapseadmin"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/media"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// ListUserMedia serves GET /_synapse/admin/v1/users/{userId}/media.
func (s *Server) ListUserMedia(ctx context.Context, r api.ListUserMediaRequestObject) (api.ListUserMediaResponseObject, error) {
	user, err := mxid.ParseUserID(string(r.UserId))
	if err != nil {
		return nil, err
	}
	p := media.Page{Offset: deref(r.Params.From), Limit: limitOf(r.Params.Limit), OrderBy: "created_ts",
		Descending: deref(r.Params.Dir) == "b"}
	if r.Params.OrderBy != nil {
		p.OrderBy = string(*r.Params.OrderBy)
	}
	items, total, err := s.admin.UserMedia(ctx, accounts.Caller(ctx), user, p)
	if err != nil {
		return nil, err
	}
	out := api.ListUserMedia200JSONResponse{Media: make([]api.Media, len(items)), Total: int(total),
		NextToken: nextToken(p.Offset, len(items), total)}
	for i, m := range items {
		out.Media[i] = api.Media{MediaId: m.MediaID, MediaType: m.ContentType, MediaLength: m.Size, UploadName: m.FileName,
			CreatedTs: ms(m.CreatedAt), QuarantinedBy: m.QuarantinedBy}
	}
	return out, nil
}

// DeleteMedia serves DELETE /_synapse/admin/v1/media/{serverName}/{mediaId}.
func (s *Server) DeleteMedia(ctx context.Context, r api.DeleteMediaRequestObject) (api.DeleteMediaResponseObject, error) {
	if _, err := s.admin.DeleteMedia(ctx, accounts.Caller(ctx), string(r.ServerName), string(r.MediaId)); err != nil {
		return nil, err
	}
	return api.DeleteMedia200JSONResponse{DeletedMedia: []string{string(r.MediaId)}, Total: 1}, nil
}

// QuarantineMedia serves POST /_synapse/admin/v1/media/quarantine/{serverName}/{mediaId}.
func (s *Server) QuarantineMedia(ctx context.Context, r api.QuarantineMediaRequestObject) (api.QuarantineMediaResponseObject, error) {
	if err := s.admin.QuarantineMedia(ctx, accounts.Caller(ctx), string(r.ServerName), string(r.MediaId), true); err != nil {
		return nil, err
	}
	return api.QuarantineMedia200JSONResponse{EmptyJSONResponse: api.EmptyJSONResponse{}}, nil
}

// UnquarantineMedia serves POST /_synapse/admin/v1/media/unquarantine/{serverName}/{mediaId}.
func (s *Server) UnquarantineMedia(ctx context.Context, r api.UnquarantineMediaRequestObject) (api.UnquarantineMediaResponseObject, error) {
	if err := s.admin.QuarantineMedia(ctx, accounts.Caller(ctx), string(r.ServerName), string(r.MediaId), false); err != nil {
		return nil, err
	}
	return api.UnquarantineMedia200JSONResponse{EmptyJSONResponse: api.EmptyJSONResponse{}}, nil
}

// UserMediaStatistics serves GET /_synapse/admin/v1/statistics/users/media.
func (s *Server) UserMediaStatistics(ctx context.Context, r api.UserMediaStatisticsRequestObject) (api.UserMediaStatisticsResponseObject, error) {
	p := media.Page{Offset: deref(r.Params.From), Limit: limitOf(r.Params.Limit), OrderBy: "user_id", Descending: deref(r.Params.Dir) == "b"}
	if r.Params.OrderBy != nil {
		p.OrderBy = string(*r.Params.OrderBy)
	}
	usage, total, err := s.admin.MediaUsage(ctx, accounts.Caller(ctx), deref(r.Params.SearchTerm), p)
	if err != nil {
		return nil, err
	}
	out := api.UserMediaStatistics200JSONResponse{Users: make([]api.UserMediaStatistics200JSONResponseBody_Users, len(usage)),
		Total: int(total), NextToken: nextToken(p.Offset, len(usage), total)}
	for i, u := range usage {
		out.Users[i] = api.UserMediaStatistics200JSONResponseBody_Users{UserId: string(u.UserID), MediaCount: u.Count, MediaLength: u.Bytes}
	}
	return out, nil
}
