package accounts

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
)

// openIDTokenPrefix marks OpenID tokens, as the other token prefixes do.
const openIDTokenPrefix = "hot_"

// OpenIDToken is what POST /user/{userId}/openid/request_token hands out:
// a token another service exchanges for the user's ID (GET
// /_matrix/federation/v1/openid/userinfo), and how long it lives.
type OpenIDToken struct {
	AccessToken string
	ExpiresIn   time.Duration
}

// CreateOpenIDToken issues an OpenID token to caller for user, which must
// be the caller themselves (v1.19 client-server, OpenID): asking for anyone
// else is M_FORBIDDEN. The token proves nothing but the user's ID, and
// works nowhere but in OpenIDTokenOwner.
func (s *Service) CreateOpenIDToken(ctx context.Context, caller, user id.UserID) (OpenIDToken, error) {
	if caller != user {
		return OpenIDToken{}, mxerr.New(mxerr.Forbidden, "OpenID tokens can only be requested for yourself")
	}
	s.expireOpenIDTokens(ctx)
	token, hash := newToken(openIDTokenPrefix)
	ttl := s.cfg.OpenIDTokenLifetime
	err := s.q.OpenIDTokenInsert(ctx, s.pool, db.OpenIDTokenInsertParams{TokenHash: hash, UserID: user, ExpiresAt: s.now().Add(ttl)})
	if err != nil {
		return OpenIDToken{}, fmt.Errorf("insert openid token of %s: %w", user, err)
	}
	return OpenIDToken{AccessToken: token, ExpiresIn: ttl}, nil
}

var errUnknownOpenIDToken = mxerr.New(mxerr.UnknownToken, "OpenID token unknown or expired")

// OpenIDTokenOwner returns the user an OpenID token was issued to. Unknown
// and expired tokens, and those of deactivated accounts, are
// M_UNKNOWN_TOKEN (401).
func (s *Service) OpenIDTokenOwner(ctx context.Context, token string) (id.UserID, error) {
	user, err := s.q.OpenIDTokenOwner(ctx, s.pool, db.OpenIDTokenOwnerParams{TokenHash: hashToken(token), Now: s.now()})
	if pg.IsNoRows(err) {
		return "", errUnknownOpenIDToken
	}
	if err != nil {
		return "", fmt.Errorf("look up openid token: %w", err)
	}
	return user, nil
}

// lastOpenIDExpiry throttles the deletion of expired OpenID tokens to once
// a minute per process; lookups ignore expired tokens meanwhile.
var lastOpenIDExpiry atomic.Int64

func (s *Service) expireOpenIDTokens(ctx context.Context) {
	now := s.now()
	last := lastOpenIDExpiry.Load()
	if now.Unix()-last < 60 || !lastOpenIDExpiry.CompareAndSwap(last, now.Unix()) {
		return
	}
	if err := s.q.OpenIDTokenDeleteExpired(ctx, s.pool, now); err != nil {
		s.log.WarnContext(ctx, "expire openid tokens", "err", err)
	}
}
