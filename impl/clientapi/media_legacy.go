package clientapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
)

// The deprecated /_matrix/media/v3 endpoints. Downloads and thumbnails
// there are unauthenticated: they serve only media created while
// media.legacy_unauthenticated_media was on, and answer 404 M_NOT_FOUND
// for the rest (v1.19's "freeze", as Synapse does). config and preview_url
// need a token there too and behave as their v1 twins.

// GetConfig serves GET /_matrix/media/v3/config.
func (s *Server) GetConfig(context.Context, api.GetConfigRequestObject) (api.GetConfigResponseObject, error) {
	return api.GetConfig200JSONResponse{MUploadSize: ptr(s.media.MaxUploadBytes())}, nil
}

// GetContent serves GET /_matrix/media/v3/download/{serverName}/{mediaId}.
func (s *Server) GetContent(ctx context.Context, r api.GetContentRequestObject) (api.GetContentResponseObject, error) {
	noRemote := r.Params.AllowRemote != nil && !*r.Params.AllowRemote
	c, err := s.download(ctx, r.ServerName, r.MediaId, r.Params.TimeoutMs, "", true, noRemote)
	if err != nil {
		return nil, err
	}
	return mediaResponse{c, "public"}, nil
}

// GetContentOverrideName serves GET /_matrix/media/v3/download/{serverName}/{mediaId}/{fileName}.
func (s *Server) GetContentOverrideName(ctx context.Context, r api.GetContentOverrideNameRequestObject) (api.GetContentOverrideNameResponseObject, error) {
	noRemote := r.Params.AllowRemote != nil && !*r.Params.AllowRemote
	c, err := s.download(ctx, r.ServerName, r.MediaId, r.Params.TimeoutMs, r.FileName, true, noRemote)
	if err != nil {
		return nil, err
	}
	return mediaResponse{c, "public"}, nil
}

// GetContentThumbnail serves GET /_matrix/media/v3/thumbnail/{serverName}/{mediaId}.
func (s *Server) GetContentThumbnail(ctx context.Context, r api.GetContentThumbnailRequestObject) (api.GetContentThumbnailResponseObject, error) {
	p := r.Params
	noRemote := p.AllowRemote != nil && !*p.AllowRemote
	c, err := s.thumbnail(ctx, r.ServerName, r.MediaId, p.Width, p.Height, (*string)(p.Method), p.TimeoutMs, p.Animated, true, noRemote)
	if err != nil {
		return nil, err
	}
	return mediaResponse{c, "public"}, nil
}

// GetUrlPreview serves GET /_matrix/media/v3/preview_url.
func (s *Server) GetUrlPreview(ctx context.Context, r api.GetUrlPreviewRequestObject) (api.GetUrlPreviewResponseObject, error) {
	og, err := s.media.Preview(ctx, accounts.Caller(ctx).UserID, r.Params.Url, deref(r.Params.Ts))
	if err != nil {
		return nil, err
	}
	out := api.GetUrlPreview200JSONResponse{AdditionalProperties: og}
	out.OgImage, out.MatrixImageSize = previewImage(og)
	return out, nil
}
