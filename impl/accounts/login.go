package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
)

var errBadLogin = mxerr.New(mxerr.Forbidden, "invalid username or password")

// DeviceOptions say which device a login is for and what the client wants.
type DeviceOptions struct {
	DeviceID    id.DeviceID // empty: a new device
	DisplayName *string
	// Refresh asks for a refresh token and an expiring access token.
	Refresh bool
}

// LoginWithPassword checks a password for identifier (a localpart or a user
// ID of this server) and starts a session. Wrong credentials, unknown users
// and remote users all get the same M_FORBIDDEN; a deactivated account gets
// M_USER_DEACTIVATED once its password is right.
func (s *Service) LoginWithPassword(ctx context.Context, identifier, password string, dev DeviceOptions) (Session, error) {
	user, ok := mxid.LocalUser(identifier, s.serverName)
	if !ok {
		return Session{}, errBadLogin
	}
	if err := s.CheckPassword(ctx, user, password); err != nil {
		return Session{}, err
	}
	return s.startSession(ctx, user, dev)
}

// LoginWithToken spends a login token made by CreateLoginToken.
func (s *Service) LoginWithToken(ctx context.Context, token string, dev DeviceOptions) (Session, error) {
	var sess Session
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		row, err := s.q.LoginTokenConsume(ctx, tx, hashToken(token))
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !s.now().Before(row.ExpiresAt)) {
			return mxerr.New(mxerr.Forbidden, "invalid or expired login token")
		}
		if err != nil {
			return fmt.Errorf("consume login token: %w", err)
		}
		sess, err = s.startSessionTx(ctx, tx, sessionParams{user: row.UserID, device: dev.DeviceID, displayName: dev.DisplayName, refresh: dev.Refresh})
		return err
	})
	return sess, err
}

// CreateLoginToken makes a single-use token that logs user in on another
// device (m.login.token), and says how long it lives.
func (s *Service) CreateLoginToken(ctx context.Context, user id.UserID) (string, time.Duration, error) {
	token, hash := newToken(loginTokenPrefix)
	ttl := s.cfg.LoginTokenLifetime
	err := s.q.LoginTokenInsert(ctx, s.pool, db.LoginTokenInsertParams{TokenHash: hash, UserID: user, ExpiresAt: s.now().Add(ttl)})
	if err != nil {
		return "", 0, fmt.Errorf("insert login token: %w", err)
	}
	return token, ttl, nil
}

// CheckPassword verifies user's password. It answers M_FORBIDDEN for a wrong
// password or unknown user, and M_USER_DEACTIVATED for a deactivated account.
func (s *Service) CheckPassword(ctx context.Context, user id.UserID, password string) error {
	u, err := s.q.UserGet(ctx, s.pool, user)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("get user %s: %w", user, err)
	}
	var stored string
	if err == nil && u.PasswordHash != nil {
		stored = *u.PasswordHash
	}
	ok, verr := s.passwords.Verify(ctx, stored, password)
	if verr != nil {
		return fmt.Errorf("check password of %s: %w", user, verr)
	}
	if err == nil && u.DeactivatedAt != nil {
		// Deactivation drops the hash, so ok is false here; say why.
		return mxerr.New(mxerr.UserDeactivated, "this account has been deactivated")
	}
	if !ok {
		return errBadLogin
	}
	if u.Locked {
		// v1.19 client-server, "Account locking": a locked account cannot
		// log in; the right password earns the reason.
		return mxerr.New(mxerr.UserLocked, "this account has been locked")
	}
	return nil
}

func (s *Service) startSession(ctx context.Context, user id.UserID, dev DeviceOptions) (Session, error) {
	var sess Session
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		sess, err = s.startSessionTx(ctx, tx, sessionParams{user: user, device: dev.DeviceID, displayName: dev.DisplayName, refresh: dev.Refresh})
		return err
	})
	return sess, err
}
