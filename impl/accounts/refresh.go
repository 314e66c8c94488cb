package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

var errUnknownRefreshToken = mxerr.New(mxerr.UnknownToken, "unknown or already used refresh token")

// Refresh exchanges a refresh token for a new access token and refresh token.
// The old refresh token keeps working until the new pair is used, so a
// client that lost the response can retry; the old access token stops at
// once. Unknown or revoked tokens get M_UNKNOWN_TOKEN.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (Session, error) {
	var sess Session
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		old, err := s.q.RefreshTokenLookupForUpdate(ctx, tx, hashToken(refreshToken))
		if errors.Is(err, pgx.ErrNoRows) {
			return errUnknownRefreshToken
		}
		if err != nil {
			return fmt.Errorf("look up refresh token: %w", err)
		}
		if old.NextID != nil {
			// A retry: the successor issued last time was never used.
			if err := s.q.RefreshTokenDelete(ctx, tx, *old.NextID); err != nil {
				return fmt.Errorf("drop unused successor: %w", err)
			}
		}
		if err := s.q.AccessTokenDeleteByRefreshToken(ctx, tx, &old.ID); err != nil {
			return fmt.Errorf("revoke access tokens of refresh token: %w", err)
		}
		if err := s.q.RefreshTokenDeletePredecessor(ctx, tx, &old.ID); err != nil {
			return fmt.Errorf("revoke replaced refresh token: %w", err)
		}
		sess, err = s.issueTokensTx(ctx, tx, old.UserID, old.DeviceID, true, &old)
		return err
	})
	return sess, err
}
