package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/pg"
)

// Session is what a successful login, registration or refresh hands out.
type Session struct {
	UserID       id.UserID
	DeviceID     id.DeviceID
	AccessToken  string
	RefreshToken string        // empty unless the client asked for one
	ExpiresIn    time.Duration // zero when the access token does not expire
}

// sessionParams say which device a new session is for.
type sessionParams struct {
	user        id.UserID
	device      id.DeviceID // empty: a new device ID is made
	displayName *string
	refresh     bool
}

func (s *Service) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pg.InTx(ctx, s.pool, fn)
}

// startSessionTx creates or reuses the device and issues its tokens. Logging
// in again on a known device revokes that device's older tokens.
func (s *Service) startSessionTx(ctx context.Context, tx pgx.Tx, p sessionParams) (Session, error) {
	device := p.device
	if device == "" {
		device = id.DeviceID(mxid.NewDeviceID())
	}
	err := s.q.DeviceUpsert(ctx, tx, db.DeviceUpsertParams{UserID: p.user, DeviceID: device, DisplayName: p.displayName})
	if err != nil {
		return Session{}, fmt.Errorf("upsert device %s: %w", device, err)
	}
	if err := s.q.AccessTokenDeleteByDevice(ctx, tx, db.AccessTokenDeleteByDeviceParams{UserID: p.user, DeviceID: device}); err != nil {
		return Session{}, fmt.Errorf("revoke old tokens of device %s: %w", device, err)
	}
	return s.issueTokensTx(ctx, tx, p.user, device, p.refresh, nil)
}

// issueTokensTx issues an access token, and with refresh a refresh token and
// an expiry. replaced is the refresh token being rotated, if any: the new
// access token then starts unused, and its first use revokes replaced.
func (s *Service) issueTokensTx(ctx context.Context, tx pgx.Tx, user id.UserID, device id.DeviceID, refresh bool, replaced *db.RefreshToken) (Session, error) {
	sess := Session{UserID: user, DeviceID: device}
	var refreshID *int64
	var expires *time.Time
	if refresh {
		var hash []byte
		sess.RefreshToken, hash = newToken(refreshTokenPrefix)
		rid, err := s.q.RefreshTokenInsert(ctx, tx, db.RefreshTokenInsertParams{TokenHash: hash, UserID: user, DeviceID: device})
		if err != nil {
			return Session{}, fmt.Errorf("insert refresh token: %w", err)
		}
		refreshID = &rid
		sess.ExpiresIn = s.cfg.AccessTokenLifetime
		at := s.now().Add(sess.ExpiresIn)
		expires = &at
		if replaced != nil {
			if err := s.q.RefreshTokenSetNext(ctx, tx, db.RefreshTokenSetNextParams{ID: replaced.ID, NextID: refreshID}); err != nil {
				return Session{}, fmt.Errorf("link refresh token: %w", err)
			}
		}
	}
	var hash []byte
	sess.AccessToken, hash = newToken(accessTokenPrefix)
	err := s.q.AccessTokenInsert(ctx, tx, db.AccessTokenInsertParams{
		TokenHash: hash, UserID: user, DeviceID: device, RefreshTokenID: refreshID, ExpiresAt: expires,
		Used: replaced == nil,
	})
	if err != nil {
		return Session{}, fmt.Errorf("insert access token: %w", err)
	}
	return sess, nil
}
