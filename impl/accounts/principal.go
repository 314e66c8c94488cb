package accounts

import (
	"context"

	"maunium.net/go/mautrix/id"
)

// Principal is who made a request: the owner of the access token.
type Principal struct {
	UserID   id.UserID
	DeviceID id.DeviceID
	IsAdmin  bool
	IsGuest  bool
	// IsLocked and IsSuspended are the account's moderation state, read
	// with the token on every request: the HTTP server refuses a locked
	// account everything but logging out, and a suspended one what writes.
	IsLocked    bool
	IsSuspended bool
	// tokenHash identifies the token itself, so that "log out everything but
	// this session" can keep it.
	tokenHash []byte
}

type principalKey struct{}

// WithCaller returns ctx carrying p; the HTTP server's auth step calls it.
func WithCaller(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// Caller returns the authenticated principal of the request, or the zero
// Principal (empty UserID) when the request carried no token.
func Caller(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}
