package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// nonceLifetime is how long a shared-secret registration nonce is good for.
const nonceLifetime = time.Minute

var errSharedSecretOff = mxerr.New(mxerr.Unknown, "shared-secret registration is not enabled").WithStatus(400)

// SharedSecretRegistration is Synapse's admin registration request, which
// test suites and admin tools use to create accounts.
type SharedSecretRegistration struct {
	Nonce    string
	Username string
	// DisplayName is the account's display name; empty means the localpart.
	DisplayName string
	Password    string
	Admin       bool
	UserType    *string
	MAC         string // hex HMAC-SHA1 over the fields, keyed by the shared secret
}

// NewRegistrationNonce hands out a nonce for one shared-secret registration.
func (s *Service) NewRegistrationNonce(ctx context.Context) (string, error) {
	if s.cfg.Registration.SharedSecret == "" {
		return "", errSharedSecretOff
	}
	nonce := mxid.NewOpaque(32)
	if err := s.q.AdminRegisterNonceInsert(ctx, s.pool, db.AdminRegisterNonceInsertParams{Nonce: nonce, CreatedAt: s.now()}); err != nil {
		return "", fmt.Errorf("insert registration nonce: %w", err)
	}
	return nonce, nil
}

// RegisterWithSharedSecret checks the request's MAC against the shared
// secret, spends its nonce and creates the account with a session.
func (s *Service) RegisterWithSharedSecret(ctx context.Context, r SharedSecretRegistration) (Session, error) {
	secret := s.cfg.Registration.SharedSecret
	if secret == "" {
		return Session{}, errSharedSecretOff
	}
	if !hmac.Equal([]byte(r.MAC), []byte(sharedSecretMAC(secret, r))) {
		return Session{}, mxerr.New(mxerr.Forbidden, "HMAC incorrect")
	}
	user, err := mxid.NewUserID(lower(r.Username), s.serverName)
	if err != nil {
		return Session{}, err
	}
	hash, err := s.passwords.Hash(ctx, r.Password)
	if err != nil {
		return Session{}, err
	}
	var sess Session
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := s.q.AdminRegisterNonceConsume(ctx, tx, db.AdminRegisterNonceConsumeParams{Nonce: r.Nonce, After: s.now().Add(-nonceLifetime)})
		if errors.Is(err, pgx.ErrNoRows) {
			return mxerr.New(mxerr.Unknown, "unrecognised nonce").WithStatus(400)
		}
		if err != nil {
			return fmt.Errorf("consume registration nonce: %w", err)
		}
		if err := s.insertUserTx(ctx, tx, db.UserInsertParams{UserID: user, PasswordHash: &hash, IsAdmin: r.Admin, UserType: r.UserType}); err != nil {
			return err
		}
		if r.DisplayName != "" {
			if err := s.createProfileTx(ctx, tx, user, r.DisplayName); err != nil {
				return err
			}
		}
		sess, err = s.startSessionTx(ctx, tx, sessionParams{user: user})
		return err
	})
	return sess, err
}

// sharedSecretMAC is Synapse's MAC: HMAC-SHA1 of the NUL-separated nonce,
// user name, password, "admin" or "notadmin", and the user type if any.
func sharedSecretMAC(secret string, r SharedSecretRegistration) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(r.Nonce + "\x00" + r.Username + "\x00" + r.Password + "\x00"))
	if r.Admin {
		m.Write([]byte("admin"))
	} else {
		m.Write([]byte("notadmin"))
	}
	if r.UserType != nil {
		m.Write([]byte("\x00" + *r.UserType))
	}
	return hex.EncodeToString(m.Sum(nil))
}
