package adminapi

import (
	"context"
	"encoding/json"
	"time"

	api "github.com/hearth-hs/hearth/gen/synapseadmin"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

func registrationToken(t accounts.RegistrationTokenInfo) api.RegistrationToken {
	out := api.RegistrationToken{Token: t.Token, Pending: int(t.Pending), Completed: int(t.Completed), ExpiryTime: msPtr(t.ExpiryTime)}
	if t.UsesAllowed != nil {
		out.UsesAllowed = new(int(*t.UsesAllowed))
	}
	return out
}

func usesAllowed(n *int) *int32 {
	if n == nil {
		return nil
	}
	return new(int32(*n))
}

func expiryTime(ms *int64) *time.Time {
	if ms == nil {
		return nil
	}
	return new(time.UnixMilli(*ms))
}

// ListRegistrationTokens serves GET /_synapse/admin/v1/registration_tokens.
func (s *Server) ListRegistrationTokens(ctx context.Context, r api.ListRegistrationTokensRequestObject) (api.ListRegistrationTokensResponseObject, error) {
	tokens, err := s.admin.RegistrationTokens(ctx, accounts.Caller(ctx), r.Params.Valid)
	if err != nil {
		return nil, err
	}
	out := api.ListRegistrationTokens200JSONResponse{RegistrationTokens: make([]api.RegistrationToken, len(tokens))}
	for i, t := range tokens {
		out.RegistrationTokens[i] = registrationToken(t)
	}
	return out, nil
}

// GetRegistrationToken serves GET /_synapse/admin/v1/registration_tokens/{token}.
func (s *Server) GetRegistrationToken(ctx context.Context, r api.GetRegistrationTokenRequestObject) (api.GetRegistrationTokenResponseObject, error) {
	t, err := s.admin.RegistrationToken(ctx, accounts.Caller(ctx), r.Token)
	if err != nil {
		return nil, err
	}
	return api.GetRegistrationToken200JSONResponse{RegistrationTokenJSONResponse: api.RegistrationTokenJSONResponse(registrationToken(t))}, nil
}

// CreateRegistrationToken serves POST /_synapse/admin/v1/registration_tokens/new.
func (s *Server) CreateRegistrationToken(ctx context.Context, r api.CreateRegistrationTokenRequestObject) (api.CreateRegistrationTokenResponseObject, error) {
	var b api.CreateRegistrationTokenJSONRequestBody
	if r.Body != nil {
		b = *r.Body
	}
	t, err := s.admin.NewRegistrationToken(ctx, accounts.Caller(ctx), deref(b.Token), deref(b.Length), usesAllowed(b.UsesAllowed), expiryTime(b.ExpiryTime))
	if err != nil {
		return nil, err
	}
	return api.CreateRegistrationToken200JSONResponse{RegistrationTokenJSONResponse: api.RegistrationTokenJSONResponse(registrationToken(t))}, nil
}

// nullableNumber reads a field that may be absent (set false), null (set,
// nil) or a number.
func nullableNumber(raw json.RawMessage) (set bool, n *int64, err error) {
	if len(raw) == 0 {
		return false, nil, nil
	}
	if err := json.Unmarshal(raw, &n); err != nil {
		return false, nil, mxerr.New(mxerr.InvalidParam, "expected an integer or null")
	}
	return true, n, nil
}

// UpdateRegistrationToken serves PUT /_synapse/admin/v1/registration_tokens/{token}.
func (s *Server) UpdateRegistrationToken(ctx context.Context, r api.UpdateRegistrationTokenRequestObject) (api.UpdateRegistrationTokenResponseObject, error) {
	var c accounts.RegistrationTokenChange
	setUses, uses, err := nullableNumber(r.Body.UsesAllowed)
	if err != nil {
		return nil, err
	}
	setExpiry, expiry, err := nullableNumber(r.Body.ExpiryTime)
	if err != nil {
		return nil, err
	}
	c.SetUsesAllowed, c.SetExpiryTime, c.ExpiryTime = setUses, setExpiry, expiryTime(expiry)
	if uses != nil {
		c.UsesAllowed = new(int32(*uses))
	}
	t, err := s.admin.UpdateRegistrationToken(ctx, accounts.Caller(ctx), r.Token, c)
	if err != nil {
		return nil, err
	}
	return api.UpdateRegistrationToken200JSONResponse{RegistrationTokenJSONResponse: api.RegistrationTokenJSONResponse(registrationToken(t))}, nil
}

// DeleteRegistrationToken serves DELETE /_synapse/admin/v1/registration_tokens/{token}.
func (s *Server) DeleteRegistrationToken(ctx context.Context, r api.DeleteRegistrationTokenRequestObject) (api.DeleteRegistrationTokenResponseObject, error) {
	if err := s.admin.DeleteRegistrationToken(ctx, accounts.Caller(ctx), r.Token); err != nil {
		return nil, err
	}
	return api.DeleteRegistrationToken200JSONResponse{EmptyJSONResponse: api.EmptyJSONResponse{}}, nil
}
