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

// ErrUnknownToken is answered for tokens that do not exist (any more).
var ErrUnknownToken = mxerr.New(mxerr.UnknownToken, "unknown access token")

// errExpiredToken is answered for expired access tokens: the client keeps its
// session and may refresh (soft logout).
var errExpiredToken = mxerr.New(mxerr.UnknownToken, "access token has expired").With("soft_logout", true)

// Authenticate resolves an access token to its principal. It answers
// M_UNKNOWN_TOKEN for unknown tokens, and with soft_logout for expired ones.
// It is on the path of every authenticated request: one indexed read, and a
// write only the first time a refreshed token is used.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	hash := hashToken(token)
	row, err := s.q.AccessTokenLookup(ctx, s.pool, hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return Principal{}, ErrUnknownToken
	}
	if err != nil {
		return Principal{}, fmt.Errorf("look up access token: %w", err)
	}
	if row.Deactivated {
		return Principal{}, ErrUnknownToken
	}
	if row.ExpiresAt != nil && !s.now().Before(*row.ExpiresAt) {
		return Principal{}, errExpiredToken
	}
	if !row.Used {
		if err := s.firstUse(ctx, hash, row.RefreshTokenID); err != nil {
			return Principal{}, err
		}
	}
	return Principal{
		UserID:      row.UserID,
		DeviceID:    row.DeviceID,
		IsAdmin:     row.IsAdmin,
		IsGuest:     row.IsGuest,
		IsLocked:    row.Locked,
		IsSuspended: row.Suspended,
		tokenHash:   hash,
	}, nil
}

// firstUse marks a refreshed access token as used, which revokes the refresh
// token it replaced: until then, a client that lost the response of /refresh
// can still retry with the old one.
func (s *Service) firstUse(ctx context.Context, hash []byte, refreshID *int64) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := s.q.AccessTokenMarkUsed(ctx, tx, hash); err != nil {
			return fmt.Errorf("mark access token used: %w", err)
		}
		if refreshID != nil {
			if err := s.q.RefreshTokenDeletePredecessor(ctx, tx, refreshID); err != nil {
				return fmt.Errorf("revoke replaced refresh token: %w", err)
			}
		}
		return nil
	})
}

// Touch records that a device was seen, at most once per touchInterval per
// device and process, so that it costs nothing on most requests.
func (s *Service) Touch(ctx context.Context, p Principal, ip, userAgent string) {
	key := deviceKey{p.UserID, p.DeviceID}
	now := s.now()
	if last, ok := s.lastTouch.Load(key); ok && now.Sub(last.(time.Time)) < touchInterval {
		return
	}
	s.lastTouch.Store(key, now)
	err := s.q.DeviceTouch(ctx, s.pool, db.DeviceTouchParams{
		UserID: p.UserID, DeviceID: p.DeviceID, LastSeenIp: &ip, LastSeenAgent: &userAgent,
	})
	if err != nil {
		s.log.WarnContext(ctx, "record device last seen", "err", err)
	}
}
