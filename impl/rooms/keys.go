package rooms

import (
	"fmt"
	"time"

	"maunium.net/go/mautrix/id"
)

// localKey gives the auth rules this server's own signing key, to verify
// the signatures they check on local events (a restricted join signed for
// its authorising member's server, v1.19 room versions 8 on). Other
// servers' keys need the federation key client, which does not exist yet.
func (s *Service) localKey(serverName string, keyID id.KeyID, _ time.Time) (id.SigningKey, time.Time, error) {
	key := s.signer.Key
	if serverName != s.serverName || key == nil {
		return "", time.Time{}, fmt.Errorf("no key of %s: keys of other servers are not fetched yet", serverName)
	}
	if keyID != key.ID {
		return "", time.Time{}, nil // not found
	}
	// The key signs events as they are made, so it is valid at their time.
	return key.Pub, s.now().Add(24 * time.Hour), nil
}
