package admin

import (
	"context"
	"time"

	"github.com/hearth-hs/hearth/impl/accounts"
)

// RegistrationTokens lists registration tokens: all when valid is nil,
// else those that can (or cannot) be used now.
func (s *Service) RegistrationTokens(ctx context.Context, actor accounts.Principal, valid *bool) ([]accounts.RegistrationTokenInfo, error) {
	if err := authorize(actor); err != nil {
		return nil, err
	}
	return s.accounts.RegistrationTokens(ctx, valid)
}

// RegistrationToken returns one registration token, or M_NOT_FOUND.
func (s *Service) RegistrationToken(ctx context.Context, actor accounts.Principal, token string) (accounts.RegistrationTokenInfo, error) {
	if err := authorize(actor); err != nil {
		return accounts.RegistrationTokenInfo{}, err
	}
	return s.accounts.RegistrationToken(ctx, token)
}

// NewRegistrationToken adds a token: token as given, else length random
// characters.
func (s *Service) NewRegistrationToken(ctx context.Context, actor accounts.Principal, token string, length int, usesAllowed *int32, expiry *time.Time) (accounts.RegistrationTokenInfo, error) {
	if err := authorize(actor); err != nil {
		return accounts.RegistrationTokenInfo{}, err
	}
	t, err := s.accounts.NewRegistrationToken(ctx, token, length, usesAllowed, expiry)
	if err != nil {
		return t, err
	}
	s.audit(ctx, actor, "registration_token.create", t.Token, map[string]any{"uses_allowed": usesAllowed, "expiry_time": expiry})
	return t, nil
}

// UpdateRegistrationToken changes a token's allowed uses or expiry.
func (s *Service) UpdateRegistrationToken(ctx context.Context, actor accounts.Principal, token string, c accounts.RegistrationTokenChange) (accounts.RegistrationTokenInfo, error) {
	if err := authorize(actor); err != nil {
		return accounts.RegistrationTokenInfo{}, err
	}
	t, err := s.accounts.UpdateRegistrationToken(ctx, token, c)
	if err != nil {
		return t, err
	}
	s.audit(ctx, actor, "registration_token.update", token, map[string]any{"uses_allowed": t.UsesAllowed, "expiry_time": t.ExpiryTime})
	return t, nil
}

// DeleteRegistrationToken removes a token.
func (s *Service) DeleteRegistrationToken(ctx context.Context, actor accounts.Principal, token string) error {
	if err := authorize(actor); err != nil {
		return err
	}
	if err := s.accounts.DeleteRegistrationToken(ctx, token); err != nil {
		return err
	}
	s.audit(ctx, actor, "registration_token.delete", token, nil)
	return nil
}
