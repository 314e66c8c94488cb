package admin

import (
	"context"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

// This file holds the client-server spec's account moderation (v1.19,
// GET/PUT /_matrix/client/v1/admin/suspend|lock/{userId}). The spec orders
// the checks: the caller's authority first, so that nobody else learns
// which accounts exist; then the user's server; then the account itself,
// deactivated ones counting as absent; and admins are not moderated
// through this API.

var errNoSuchUser = mxerr.New(mxerr.NotFound, "user not found")

// moderated returns the account an admin may suspend or lock.
func (s *Service) moderated(ctx context.Context, actor accounts.Principal, user id.UserID, changing bool) (accounts.Account, error) {
	if err := authorize(actor); err != nil {
		return accounts.Account{}, err
	}
	if err := s.localUser(user); err != nil {
		return accounts.Account{}, err
	}
	if changing && user == actor.UserID {
		return accounts.Account{}, mxerr.New(mxerr.Forbidden, "you may not moderate your own account")
	}
	a, err := s.accounts.Account(ctx, user)
	if err != nil {
		return accounts.Account{}, err
	}
	if a.Deactivated() {
		return accounts.Account{}, errNoSuchUser
	}
	if a.IsAdmin && user != actor.UserID {
		return accounts.Account{}, mxerr.New(mxerr.Forbidden, "server admins cannot be moderated")
	}
	return a, nil
}

// Suspended tells whether a local account is suspended.
func (s *Service) Suspended(ctx context.Context, actor accounts.Principal, user id.UserID) (bool, error) {
	a, err := s.moderated(ctx, actor, user, false)
	return a.Suspended, err
}

// SetSuspended suspends a local account, or lifts its suspension; its next
// request sees it.
func (s *Service) SetSuspended(ctx context.Context, actor accounts.Principal, user id.UserID, suspended bool) error {
	if _, err := s.moderated(ctx, actor, user, true); err != nil {
		return err
	}
	if err := s.accounts.SetSuspended(ctx, user, suspended); err != nil {
		return err
	}
	action := "user.suspend"
	if !suspended {
		action = "user.unsuspend"
	}
	s.audit(ctx, actor, action, string(user), nil)
	return nil
}

// Locked tells whether a local account is locked.
func (s *Service) Locked(ctx context.Context, actor accounts.Principal, user id.UserID) (bool, error) {
	a, err := s.moderated(ctx, actor, user, false)
	return a.Locked, err
}

// SetLocked locks a local account, or unlocks it; its next request sees
// it.
func (s *Service) SetLocked(ctx context.Context, actor accounts.Principal, user id.UserID, locked bool) error {
	if _, err := s.moderated(ctx, actor, user, true); err != nil {
		return err
	}
	if err := s.accounts.SetLocked(ctx, user, locked); err != nil {
		return err
	}
	action := "user.lock"
	if !locked {
		action = "user.unlock"
	}
	s.audit(ctx, actor, action, string(user), nil)
	return nil
}
