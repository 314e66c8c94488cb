package adminapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/synapseadmin"
	"github.com/hearth-hs/hearth/impl/accounts"
)

// GetRegisterNonce serves GET /_synapse/admin/v1/register.
func (s *Server) GetRegisterNonce(ctx context.Context, _ api.GetRegisterNonceRequestObject) (api.GetRegisterNonceResponseObject, error) {
	nonce, err := s.accounts.NewRegistrationNonce(ctx)
	if err != nil {
		return nil, err
	}
	return api.GetRegisterNonce200JSONResponse{Nonce: nonce}, nil
}

// RegisterWithSharedSecret serves POST /_synapse/admin/v1/register.
func (s *Server) RegisterWithSharedSecret(ctx context.Context, r api.RegisterWithSharedSecretRequestObject) (api.RegisterWithSharedSecretResponseObject, error) {
	b := r.Body
	sess, err := s.accounts.RegisterWithSharedSecret(ctx, accounts.SharedSecretRegistration{
		Nonce:       b.Nonce,
		Username:    b.Username,
		DisplayName: deref(b.Displayname),
		Password:    b.Password,
		Admin:       deref(b.Admin),
		UserType:    b.UserType,
		MAC:         b.Mac,
	})
	if err != nil {
		return nil, err
	}
	return api.RegisterWithSharedSecret200JSONResponse{
		AccessToken: sess.AccessToken,
		UserId:      string(sess.UserID),
		DeviceId:    string(sess.DeviceID),
		HomeServer:  s.accounts.ServerName(),
	}, nil
}
