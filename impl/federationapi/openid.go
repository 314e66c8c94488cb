package federationapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/serverserver"
)

// ExchangeOpenIdToken serves GET /_matrix/federation/v1/openid/userinfo. It
// takes no request signature: the caller is any service a user gave an
// OpenID token to, and the token is the credential.
func (s *Server) ExchangeOpenIdToken(ctx context.Context, r api.ExchangeOpenIdTokenRequestObject) (api.ExchangeOpenIdTokenResponseObject, error) {
	user, err := s.openID.OpenIDTokenOwner(ctx, r.Params.AccessToken)
	if err != nil {
		return nil, err
	}
	return api.ExchangeOpenIdToken200JSONResponse{Sub: string(user)}, nil
}
