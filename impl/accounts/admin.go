package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/pg"
)

// This file holds what server admins do to accounts (impl/admin calls it):
// reading an account whole, moderation flags, the admin flag, password
// resets and reactivation without UIA, and registration tokens. It checks
// nothing about the caller: impl/admin and the HTTP server do.

// Account is a local account as admins see it.
type Account struct {
	UserID        id.UserID
	IsAdmin       bool
	IsGuest       bool
	UserType      *string
	CreatedAt     time.Time
	DeactivatedAt *time.Time
	Erased        bool
	Locked        bool
	Suspended     bool
	HasPassword   bool
}

// Deactivated tells whether the account was deactivated.
func (a Account) Deactivated() bool { return a.DeactivatedAt != nil }

var errNoSuchUser = mxerr.New(mxerr.NotFound, "user not found")

// Account returns a local account, deactivated or not, or M_NOT_FOUND.
func (s *Service) Account(ctx context.Context, user id.UserID) (Account, error) {
	u, err := s.q.UserGet(ctx, s.pool, user)
	if pg.IsNoRows(err) {
		return Account{}, errNoSuchUser
	}
	if err != nil {
		return Account{}, fmt.Errorf("get user %s: %w", user, err)
	}
	return Account{
		UserID: u.UserID, IsAdmin: u.IsAdmin, IsGuest: u.IsGuest, UserType: u.UserType, CreatedAt: u.CreatedAt,
		DeactivatedAt: u.DeactivatedAt, Erased: u.Erased, Locked: u.Locked, Suspended: u.Suspended,
		HasPassword: u.PasswordHash != nil,
	}, nil
}

// SetLocked locks or unlocks an account; the next request of any of its
// sessions sees it. Unknown users are M_NOT_FOUND.
func (s *Service) SetLocked(ctx context.Context, user id.UserID, locked bool) error {
	return setFlag("lock", user, func() (int64, error) {
		return s.q.UserSetLocked(ctx, s.pool, db.UserSetLockedParams{UserID: user, Locked: locked})
	})
}

// SetSuspended suspends an account or lifts its suspension.
func (s *Service) SetSuspended(ctx context.Context, user id.UserID, suspended bool) error {
	return setFlag("suspend", user, func() (int64, error) {
		return s.q.UserSetSuspended(ctx, s.pool, db.UserSetSuspendedParams{UserID: user, Suspended: suspended})
	})
}

// SetAdmin makes an account a server admin, or not.
func (s *Service) SetAdmin(ctx context.Context, user id.UserID, admin bool) error {
	return setFlag("set admin flag of", user, func() (int64, error) {
		return s.q.UserSetAdmin(ctx, s.pool, db.UserSetAdminParams{UserID: user, IsAdmin: admin})
	})
}

// SetUserType sets an account's type (nil: a regular user; "bot",
// "support").
func (s *Service) SetUserType(ctx context.Context, user id.UserID, userType *string) error {
	return setFlag("set type of", user, func() (int64, error) {
		return s.q.UserSetType(ctx, s.pool, db.UserSetTypeParams{UserID: user, UserType: userType})
	})
}

func setFlag(what string, user id.UserID, run func() (int64, error)) error {
	n, err := run()
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, user, err)
	}
	if n == 0 {
		return errNoSuchUser
	}
	return nil
}

// ResetPassword sets a user's password without UIA, for admins; unless
// keepDevices, every session of the user ends. The password policy
// applies.
func (s *Service) ResetPassword(ctx context.Context, user id.UserID, password string, keepDevices bool) error {
	if err := s.checkNewPassword(password); err != nil {
		return err
	}
	hash, err := s.passwords.Hash(ctx, password)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		a, err := s.q.UserGet(ctx, tx, user)
		if pg.IsNoRows(err) {
			return errNoSuchUser
		}
		if err != nil {
			return fmt.Errorf("get user %s: %w", user, err)
		}
		if a.DeactivatedAt != nil {
			return mxerr.New(mxerr.InvalidParam, "the account is deactivated; reactivate it with a password instead").WithStatus(400)
		}
		if err := s.q.UserSetPassword(ctx, tx, db.UserSetPasswordParams{UserID: user, PasswordHash: &hash}); err != nil {
			return fmt.Errorf("set password of %s: %w", user, err)
		}
		if keepDevices {
			return nil
		}
		deleted, err := s.q.DeviceDeleteAllExcept(ctx, tx, db.DeviceDeleteAllExceptParams{UserID: user})
		if err != nil {
			return fmt.Errorf("log out %s: %w", user, err)
		}
		if len(deleted) == 0 {
			return nil
		}
		return s.devicesChangedTx(ctx, tx, user, deleted)
	})
}

// Reactivate undoes a deactivation: the account can log in again with
// password (required, as a deactivated account has none).
func (s *Service) Reactivate(ctx context.Context, user id.UserID, password string) error {
	if err := s.checkNewPassword(password); err != nil {
		return err
	}
	hash, err := s.passwords.Hash(ctx, password)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		n, err := s.q.UserReactivate(ctx, tx, user)
		if err != nil {
			return fmt.Errorf("reactivate %s: %w", user, err)
		}
		if n == 0 {
			return errNoSuchUser
		}
		if err := s.q.UserSetPassword(ctx, tx, db.UserSetPasswordParams{UserID: user, PasswordHash: &hash}); err != nil {
			return fmt.Errorf("set password of %s: %w", user, err)
		}
		return nil
	})
}

// RegistrationTokenInfo is a registration token with its use counts.
type RegistrationTokenInfo struct {
	Token       string
	UsesAllowed *int32 // nil: unlimited
	Pending     int32
	Completed   int32
	ExpiryTime  *time.Time // nil: never
}

func tokenInfo(t db.RegistrationToken) RegistrationTokenInfo {
	return RegistrationTokenInfo{Token: t.Token, UsesAllowed: t.UsesAllowed, Pending: t.Pending, Completed: t.Completed, ExpiryTime: t.ExpiryTime}
}

var errNoSuchToken = mxerr.New(mxerr.NotFound, "no such registration token")

// RegistrationTokens lists the tokens, oldest first: all of them when
// valid is nil, else those that can (or cannot) be used now.
func (s *Service) RegistrationTokens(ctx context.Context, valid *bool) ([]RegistrationTokenInfo, error) {
	rows, err := s.q.RegistrationTokenList(ctx, s.pool, db.RegistrationTokenListParams{Valid: valid, Now: s.now()})
	if err != nil {
		return nil, fmt.Errorf("list registration tokens: %w", err)
	}
	out := make([]RegistrationTokenInfo, len(rows))
	for i, r := range rows {
		out[i] = tokenInfo(r)
	}
	return out, nil
}

// RegistrationToken returns one token, or M_NOT_FOUND.
func (s *Service) RegistrationToken(ctx context.Context, token string) (RegistrationTokenInfo, error) {
	t, err := s.q.RegistrationTokenGet(ctx, s.pool, token)
	if pg.IsNoRows(err) {
		return RegistrationTokenInfo{}, errNoSuchToken
	}
	if err != nil {
		return RegistrationTokenInfo{}, fmt.Errorf("get registration token: %w", err)
	}
	return tokenInfo(t), nil
}

// NewRegistrationToken adds a token: token as given, or else length random
// letters and digits (16 when 0). A token that exists is M_INVALID_PARAM.
func (s *Service) NewRegistrationToken(ctx context.Context, token string, length int, usesAllowed *int32, expiry *time.Time) (RegistrationTokenInfo, error) {
	if token == "" {
		if length == 0 {
			length = 16
		}
		token = mxid.NewOpaque(length)
	}
	err := s.q.RegistrationTokenInsert(ctx, s.pool, db.RegistrationTokenInsertParams{Token: token, UsesAllowed: usesAllowed, ExpiryTime: expiry})
	if pg.IsUniqueViolation(err, "registration_tokens_pkey") {
		return RegistrationTokenInfo{}, mxerr.New(mxerr.InvalidParam, "registration token already exists")
	}
	if err != nil {
		return RegistrationTokenInfo{}, fmt.Errorf("insert registration token: %w", err)
	}
	return s.RegistrationToken(ctx, token)
}

// RegistrationTokenChange says what to change of a token: the fields whose
// Set flag is true, to the value beside (nil: unlimited, never).
type RegistrationTokenChange struct {
	SetUsesAllowed bool
	UsesAllowed    *int32
	SetExpiryTime  bool
	ExpiryTime     *time.Time
}

// UpdateRegistrationToken changes a token, or answers M_NOT_FOUND.
func (s *Service) UpdateRegistrationToken(ctx context.Context, token string, c RegistrationTokenChange) (RegistrationTokenInfo, error) {
	t, err := s.q.RegistrationTokenUpdate(ctx, s.pool, db.RegistrationTokenUpdateParams{
		Token: token, SetUses: c.SetUsesAllowed, UsesAllowed: c.UsesAllowed, SetExpiry: c.SetExpiryTime, ExpiryTime: c.ExpiryTime,
	})
	if pg.IsNoRows(err) {
		return RegistrationTokenInfo{}, errNoSuchToken
	}
	if err != nil {
		return RegistrationTokenInfo{}, fmt.Errorf("update registration token: %w", err)
	}
	return tokenInfo(t), nil
}

// DeleteRegistrationToken removes a token, or answers M_NOT_FOUND.
func (s *Service) DeleteRegistrationToken(ctx context.Context, token string) error {
	n, err := s.q.RegistrationTokenDelete(ctx, s.pool, token)
	if err != nil {
		return fmt.Errorf("delete registration token: %w", err)
	}
	if n == 0 {
		return errNoSuchToken
	}
	return nil
}
