package accounts

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
)

// ChangePassword sets the caller's password after UIA. Unless keepDevices,
// every other device of the user is logged out; the caller's own session
// stays.
func (s *Service) ChangePassword(ctx context.Context, p Principal, newPassword string, keepDevices bool, auth *AuthData) error {
	if err := s.checkNewPassword(newPassword); err != nil {
		return err
	}
	if err := s.Interactive(ctx, OpChangePassword, p.UserID, auth); err != nil {
		return err
	}
	hash, err := s.passwords.Hash(ctx, newPassword)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := s.q.UserSetPassword(ctx, tx, db.UserSetPasswordParams{UserID: p.UserID, PasswordHash: &hash}); err != nil {
			return fmt.Errorf("set password of %s: %w", p.UserID, err)
		}
		if keepDevices {
			return nil
		}
		return s.logoutOthersTx(ctx, tx, p)
	})
}

// logoutOthersTx deletes every device of the user but the caller's.
func (s *Service) logoutOthersTx(ctx context.Context, tx pgx.Tx, p Principal) error {
	deleted, err := s.q.DeviceDeleteAllExcept(ctx, tx, db.DeviceDeleteAllExceptParams{UserID: p.UserID, Keep: string(p.DeviceID)})
	if err != nil {
		return fmt.Errorf("log out other devices of %s: %w", p.UserID, err)
	}
	if len(deleted) == 0 {
		return nil
	}
	return s.devicesChangedTx(ctx, tx, p.UserID, deleted)
}

// Deactivate closes the caller's account after UIA: the password is dropped
// and every device and token deleted; erase also asks for the user's data
// to be forgotten.
func (s *Service) Deactivate(ctx context.Context, user id.UserID, erase bool, auth *AuthData) error {
	if err := s.Interactive(ctx, OpDeactivate, user, auth); err != nil {
		return err
	}
	return s.DeactivateNow(ctx, user, erase)
}

// DeactivateNow deactivates user without UIA, for admins.
func (s *Service) DeactivateNow(ctx context.Context, user id.UserID, erase bool) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := s.q.UserDeactivate(ctx, tx, db.UserDeactivateParams{UserID: user, Erase: erase}); err != nil {
			return fmt.Errorf("deactivate %s: %w", user, err)
		}
		deleted, err := s.q.DeviceDeleteAllExcept(ctx, tx, db.DeviceDeleteAllExceptParams{UserID: user})
		if err != nil {
			return fmt.Errorf("delete devices of %s: %w", user, err)
		}
		if len(deleted) > 0 {
			if err := s.devicesChangedTx(ctx, tx, user, deleted); err != nil {
				return err
			}
		}
		if erase {
			return s.clearProfileTx(ctx, tx, user)
		}
		return nil
	})
}
