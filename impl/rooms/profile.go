package rooms

import (
	"context"
	"encoding/json"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// memberContent is the content of user's member event: the membership, the
// reason if any, and for joins the user's profile.
func (s *Service) memberContent(ctx context.Context, user id.UserID, m event.Membership, reason string) []byte {
	c := map[string]any{"membership": string(m)}
	if reason != "" {
		c["reason"] = reason
	}
	if m == event.MembershipJoin && s.profiles != nil && s.IsLocal(user) {
		name, avatar, err := s.profiles.Profile(ctx, user)
		if err != nil {
			s.log.WarnContext(ctx, "read profile for member event", "user_id", user, "err", err)
		}
		if name != "" {
			c["displayname"] = name
		}
		if avatar != "" {
			c["avatar_url"] = avatar
		}
	}
	b, _ := json.Marshal(c) // strings only: cannot fail
	return b
}
