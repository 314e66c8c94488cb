package clientapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

// Register serves POST /_matrix/client/v3/register.
func (s *Server) Register(ctx context.Context, r api.RegisterRequestObject) (api.RegisterResponseObject, error) {
	b := r.Body
	sess, err := s.accounts.Register(ctx, accounts.RegisterParams{
		Localpart:    deref(b.Username),
		Password:     deref(b.Password),
		Device:       deviceOptions(b.DeviceId, b.InitialDeviceDisplayName, b.RefreshToken),
		InhibitLogin: deref(b.InhibitLogin),
		Guest:        r.Params.Kind != nil && *r.Params.Kind == api.RegisterParamsKindGuest,
		Auth:         authData(b.Auth),
	})
	if err != nil {
		return nil, err
	}
	resp := api.Register200JSONResponse{UserId: string(sess.UserID), HomeServer: &s.cfg.ServerName}
	if sess.AccessToken != "" {
		resp.AccessToken = &sess.AccessToken
		resp.DeviceId = optional(string(sess.DeviceID))
		resp.RefreshToken = optional(sess.RefreshToken)
		resp.ExpiresInMs = expiresInMs(sess)
	}
	return resp, nil
}

// CheckUsernameAvailability serves GET /_matrix/client/v3/register/available.
func (s *Server) CheckUsernameAvailability(ctx context.Context, r api.CheckUsernameAvailabilityRequestObject) (api.CheckUsernameAvailabilityResponseObject, error) {
	if err := s.accounts.UsernameAvailable(ctx, r.Params.Username); err != nil {
		return nil, err
	}
	return api.CheckUsernameAvailability200JSONResponse{Available: ptr(true)}, nil
}

// RegistrationTokenValidity serves
// GET /_matrix/client/v1/register/m.login.registration_token/validity.
func (s *Server) RegistrationTokenValidity(ctx context.Context, r api.RegistrationTokenValidityRequestObject) (api.RegistrationTokenValidityResponseObject, error) {
	valid, err := s.accounts.RegistrationTokenValid(ctx, r.Params.Token)
	if err != nil {
		return nil, err
	}
	return api.RegistrationTokenValidity200JSONResponse{Valid: valid}, nil
}

// errNoThreepids answers the requestToken endpoints: hearth keeps no email
// addresses or phone numbers, so it sends no validation tokens.
var errNoThreepids = mxerr.New(mxerr.ThreepidDenied, "this server does not support third-party identifiers")

// RequestTokenToRegisterEmail serves
// POST /_matrix/client/v3/register/email/requestToken.
func (s *Server) RequestTokenToRegisterEmail(context.Context, api.RequestTokenToRegisterEmailRequestObject) (api.RequestTokenToRegisterEmailResponseObject, error) {
	return nil, errNoThreepids
}

// RequestTokenToRegisterMSISDN serves
// POST /_matrix/client/v3/register/msisdn/requestToken.
func (s *Server) RequestTokenToRegisterMSISDN(context.Context, api.RequestTokenToRegisterMSISDNRequestObject) (api.RequestTokenToRegisterMSISDNResponseObject, error) {
	return nil, errNoThreepids
}
