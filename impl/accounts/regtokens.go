package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

var errBadRegistrationToken = mxerr.New(mxerr.Unauthorized, "invalid registration token")

// RegistrationTokenValid tells whether token could be used to register now
// (GET /register/m.login.registration_token/validity).
func (s *Service) RegistrationTokenValid(ctx context.Context, token string) (bool, error) {
	t, err := s.q.RegistrationTokenGet(ctx, s.pool, token)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get registration token: %w", err)
	}
	return usable(t, s.now()), nil
}

// reserveRegistrationTokenTx holds one use of token for a registration in
// progress, or answers M_UNAUTHORIZED when the token cannot be used.
func (s *Service) reserveRegistrationTokenTx(ctx context.Context, tx pgx.Tx, token string) error {
	t, err := s.q.RegistrationTokenGetForUpdate(ctx, tx, token)
	if errors.Is(err, pgx.ErrNoRows) {
		return errBadRegistrationToken
	}
	if err != nil {
		return fmt.Errorf("get registration token: %w", err)
	}
	if !usable(t, s.now()) {
		return errBadRegistrationToken
	}
	if err := s.q.RegistrationTokenAddPending(ctx, tx, db.RegistrationTokenAddPendingParams{Token: token, Pending: 1}); err != nil {
		return fmt.Errorf("reserve registration token: %w", err)
	}
	return nil
}

// CreateRegistrationToken adds a token; usesAllowed nil means unlimited and
// a nil expiry means it never expires.
func (s *Service) CreateRegistrationToken(ctx context.Context, token string, usesAllowed *int32, expiry *time.Time) error {
	err := s.q.RegistrationTokenInsert(ctx, s.pool, db.RegistrationTokenInsertParams{Token: token, UsesAllowed: usesAllowed, ExpiryTime: expiry})
	if err != nil {
		return fmt.Errorf("insert registration token: %w", err)
	}
	return nil
}

func usable(t db.RegistrationToken, now time.Time) bool {
	if t.ExpiryTime != nil && !now.Before(*t.ExpiryTime) {
		return false
	}
	return t.UsesAllowed == nil || t.Pending+t.Completed < *t.UsesAllowed
}
