package accounts

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/id"
)

// Exists tells whether a local account exists (deactivated ones included).
func (s *Service) Exists(ctx context.Context, user id.UserID) (bool, error) {
	ok, err := s.q.UserExists(ctx, s.pool, user)
	if err != nil {
		return false, fmt.Errorf("check user %s: %w", user, err)
	}
	return ok, nil
}
