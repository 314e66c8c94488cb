package clientapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

// ChangePassword serves POST /_matrix/client/v3/account/password.
func (s *Server) ChangePassword(ctx context.Context, r api.ChangePasswordRequestObject) (api.ChangePasswordResponseObject, error) {
	b := r.Body
	logoutOthers := b.LogoutDevices == nil || *b.LogoutDevices
	who := accounts.Caller(ctx)
	if who.UserID == "" {
		// The spec lets a client that forgot its password reset it through
		// an email or phone it owns; hearth keeps neither.
		return nil, mxerr.New(mxerr.Forbidden, "log in to change your password; password reset by email or phone is not supported")
	}
	if err := s.accounts.ChangePassword(ctx, who, b.NewPassword, !logoutOthers, authData(b.Auth)); err != nil {
		return nil, err
	}
	return api.ChangePassword200JSONResponse{}, nil
}

// DeactivateAccount serves POST /_matrix/client/v3/account/deactivate.
func (s *Server) DeactivateAccount(ctx context.Context, r api.DeactivateAccountRequestObject) (api.DeactivateAccountResponseObject, error) {
	who := accounts.Caller(ctx)
	if who.UserID == "" {
		return nil, mxerr.New(mxerr.MissingToken, "log in to deactivate your account")
	}
	if err := s.accounts.Deactivate(ctx, who.UserID, deref(r.Body.Erase), authData(r.Body.Auth)); err != nil {
		return nil, err
	}
	return api.DeactivateAccount200JSONResponse{IdServerUnbindResult: api.DeactivateAccount200JSONResponseBodyIdServerUnbindResultNoSupport}, nil
}

// GetAccount3PIDs serves GET /_matrix/client/v3/account/3pid: hearth keeps
// no third-party identifiers, so the list is always empty.
func (s *Server) GetAccount3PIDs(context.Context, api.GetAccount3PIDsRequestObject) (api.GetAccount3PIDsResponseObject, error) {
	none := []api.GetAccount3PIDs200JSONResponseBody_Threepids{}
	return api.GetAccount3PIDs200JSONResponse{Threepids: &none}, nil
}

// Post3PIDs serves the deprecated POST /_matrix/client/v3/account/3pid.
func (s *Server) Post3PIDs(context.Context, api.Post3PIDsRequestObject) (api.Post3PIDsResponseObject, error) {
	return nil, mxerr.New(mxerr.ThreepidAuthFailed, "third-party identifiers are not supported").WithStatus(403)
}

// Add3PID serves POST /_matrix/client/v3/account/3pid/add: no validation
// session can exist, as hearth never sends validation tokens.
func (s *Server) Add3PID(context.Context, api.Add3PIDRequestObject) (api.Add3PIDResponseObject, error) {
	return nil, mxerr.New(mxerr.ThreepidAuthFailed, "no validated third-party identifier session").WithStatus(400)
}

// Bind3PID serves POST /_matrix/client/v3/account/3pid/bind.
func (s *Server) Bind3PID(context.Context, api.Bind3PIDRequestObject) (api.Bind3PIDResponseObject, error) {
	return nil, mxerr.New(mxerr.ServerNotTrusted, "this server does not use identity servers")
}

// Delete3pidFromAccount serves POST /_matrix/client/v3/account/3pid/delete.
func (s *Server) Delete3pidFromAccount(context.Context, api.Delete3pidFromAccountRequestObject) (api.Delete3pidFromAccountResponseObject, error) {
	return api.Delete3pidFromAccount200JSONResponse{IdServerUnbindResult: api.Delete3pidFromAccount200JSONResponseBodyIdServerUnbindResultNoSupport}, nil
}

// Unbind3pidFromAccount serves POST /_matrix/client/v3/account/3pid/unbind.
func (s *Server) Unbind3pidFromAccount(context.Context, api.Unbind3pidFromAccountRequestObject) (api.Unbind3pidFromAccountResponseObject, error) {
	return api.Unbind3pidFromAccount200JSONResponse{IdServerUnbindResult: api.Unbind3pidFromAccount200JSONResponseBodyIdServerUnbindResultNoSupport}, nil
}

// RequestTokenTo3PIDEmail serves
// POST /_matrix/client/v3/account/3pid/email/requestToken.
func (s *Server) RequestTokenTo3PIDEmail(context.Context, api.RequestTokenTo3PIDEmailRequestObject) (api.RequestTokenTo3PIDEmailResponseObject, error) {
	return nil, errNoThreepids
}

// RequestTokenTo3PIDMSISDN serves
// POST /_matrix/client/v3/account/3pid/msisdn/requestToken.
func (s *Server) RequestTokenTo3PIDMSISDN(context.Context, api.RequestTokenTo3PIDMSISDNRequestObject) (api.RequestTokenTo3PIDMSISDNResponseObject, error) {
	return nil, errNoThreepids
}

// errNoResetAddress answers password-reset token requests: no account has
// an email address or phone number here.
var errNoResetAddress = mxerr.New(mxerr.ThreepidNotFound, "no account has this address")

// RequestTokenToResetPasswordEmail serves
// POST /_matrix/client/v3/account/password/email/requestToken.
func (s *Server) RequestTokenToResetPasswordEmail(context.Context, api.RequestTokenToResetPasswordEmailRequestObject) (api.RequestTokenToResetPasswordEmailResponseObject, error) {
	return nil, errNoResetAddress
}

// RequestTokenToResetPasswordMSISDN serves
// POST /_matrix/client/v3/account/password/msisdn/requestToken.
func (s *Server) RequestTokenToResetPasswordMSISDN(context.Context, api.RequestTokenToResetPasswordMSISDNRequestObject) (api.RequestTokenToResetPasswordMSISDNResponseObject, error) {
	return nil, errNoResetAddress
}
