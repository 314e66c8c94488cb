package clientapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// RequestOpenIdToken serves
// POST /_matrix/client/v3/user/{userId}/openid/request_token.
func (s *Server) RequestOpenIdToken(ctx context.Context, r api.RequestOpenIdTokenRequestObject) (api.RequestOpenIdTokenResponseObject, error) {
	user, err := mxid.ParseUserID(r.UserId)
	if err != nil {
		return nil, err
	}
	tok, err := s.accounts.CreateOpenIDToken(ctx, accounts.Caller(ctx).UserID, user)
	if err != nil {
		return nil, err
	}
	return api.RequestOpenIdToken200JSONResponse{
		AccessToken: tok.AccessToken, TokenType: "Bearer", MatrixServerName: s.cfg.ServerName,
		ExpiresIn: int(tok.ExpiresIn.Seconds()),
	}, nil
}
