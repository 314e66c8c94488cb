package clientapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

// Login types hearth accepts.
const (
	loginPassword = "m.login.password"
	loginToken    = "m.login.token"
)

// GetLoginFlows serves GET /_matrix/client/v3/login.
func (s *Server) GetLoginFlows(context.Context, api.GetLoginFlowsRequestObject) (api.GetLoginFlowsResponseObject, error) {
	flows := []api.GetLoginFlows200JSONResponseBody_Flows{
		{Type: loginPassword},
		{Type: loginToken, GetLoginToken: ptr(true)},
	}
	return api.GetLoginFlows200JSONResponse{Flows: &flows}, nil
}

// Login serves POST /_matrix/client/v3/login.
func (s *Server) Login(ctx context.Context, r api.LoginRequestObject) (api.LoginResponseObject, error) {
	b := r.Body
	dev := deviceOptions(b.DeviceId, b.InitialDeviceDisplayName, b.RefreshToken)
	var sess accounts.Session
	var err error
	switch b.Type {
	case loginPassword:
		sess, err = s.accounts.LoginWithPassword(ctx, loginIdentifier(b), deref(b.Password), dev)
	case loginToken:
		sess, err = s.accounts.LoginWithToken(ctx, deref(b.Token), dev)
	default:
		return nil, mxerr.New(mxerr.Unknown, "login type %q is not supported", b.Type).WithStatus(400)
	}
	if err != nil {
		return nil, err
	}
	return api.Login200JSONResponse{
		UserId:       string(sess.UserID),
		DeviceId:     string(sess.DeviceID),
		AccessToken:  sess.AccessToken,
		RefreshToken: optional(sess.RefreshToken),
		ExpiresInMs:  expiresInMs(sess),
		HomeServer:   &s.cfg.ServerName,
	}, nil
}

// loginIdentifier reads who is logging in: the m.id.user identifier, or the
// deprecated top-level user field. Third-party identifiers find nobody, as
// hearth keeps none.
func loginIdentifier(b *api.LoginJSONRequestBody) string {
	if b.Identifier != nil {
		if b.Identifier.Type != "m.id.user" {
			return ""
		}
		u, _ := b.Identifier.Get("user")
		s, _ := u.(string)
		return s
	}
	return deref(b.User)
}

// GenerateLoginToken serves POST /_matrix/client/v1/login/get_token.
func (s *Server) GenerateLoginToken(ctx context.Context, r api.GenerateLoginTokenRequestObject) (api.GenerateLoginTokenResponseObject, error) {
	who := accounts.Caller(ctx)
	if err := s.accounts.Interactive(ctx, accounts.OpGetLoginToken, who.UserID, authData(r.Body.Auth)); err != nil {
		return nil, err
	}
	token, ttl, err := s.accounts.CreateLoginToken(ctx, who.UserID)
	if err != nil {
		return nil, err
	}
	return api.GenerateLoginToken200JSONResponse{LoginToken: token, ExpiresInMs: int(ttl.Milliseconds())}, nil
}

// Refresh serves POST /_matrix/client/v3/refresh.
func (s *Server) Refresh(ctx context.Context, r api.RefreshRequestObject) (api.RefreshResponseObject, error) {
	sess, err := s.accounts.Refresh(ctx, r.Body.RefreshToken)
	if err != nil {
		return nil, err
	}
	return api.Refresh200JSONResponse{
		AccessToken:  sess.AccessToken,
		RefreshToken: optional(sess.RefreshToken),
		ExpiresInMs:  expiresInMs(sess),
	}, nil
}

// Logout serves POST /_matrix/client/v3/logout.
func (s *Server) Logout(ctx context.Context, _ api.LogoutRequestObject) (api.LogoutResponseObject, error) {
	if err := s.accounts.Logout(ctx, accounts.Caller(ctx)); err != nil {
		return nil, err
	}
	return api.Logout200JSONResponse{}, nil
}

// LogoutAll serves POST /_matrix/client/v3/logout/all.
func (s *Server) LogoutAll(ctx context.Context, _ api.LogoutAllRequestObject) (api.LogoutAllResponseObject, error) {
	if err := s.accounts.LogoutAll(ctx, accounts.Caller(ctx).UserID); err != nil {
		return nil, err
	}
	return api.LogoutAll200JSONResponse{}, nil
}

// GetTokenOwner serves GET /_matrix/client/v3/account/whoami.
func (s *Server) GetTokenOwner(ctx context.Context, _ api.GetTokenOwnerRequestObject) (api.GetTokenOwnerResponseObject, error) {
	who := accounts.Caller(ctx)
	return api.GetTokenOwner200JSONResponse{
		UserId:   string(who.UserID),
		DeviceId: optional(string(who.DeviceID)),
		IsGuest:  &who.IsGuest,
	}, nil
}
