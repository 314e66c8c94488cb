package admin

import (
	"context"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/media"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

// UserMedia lists the media a local user uploaded and says how many.
func (s *Service) UserMedia(ctx context.Context, actor accounts.Principal, user id.UserID, p media.Page) ([]media.Item, int64, error) {
	if err := s.checkUser(ctx, actor, user); err != nil {
		return nil, 0, err
	}
	return s.media.UserMedia(ctx, user, p)
}

// DeleteMedia deletes local media with its thumbnails and bytes, and says
// whether there was such media.
func (s *Service) DeleteMedia(ctx context.Context, actor accounts.Principal, origin, mediaID string) (bool, error) {
	if err := authorize(actor); err != nil {
		return false, err
	}
	deleted, err := s.media.Delete(ctx, origin, mediaID)
	if err != nil {
		return false, err
	}
	if !deleted {
		return false, mxerr.New(mxerr.NotFound, "media not found")
	}
	s.audit(ctx, actor, "media.delete", "mxc://"+origin+"/"+mediaID, nil)
	return true, nil
}

// QuarantineMedia stops serving media (or serves it again): it stays
// stored for whoever investigates.
func (s *Service) QuarantineMedia(ctx context.Context, actor accounts.Principal, origin, mediaID string, quarantine bool) error {
	if err := authorize(actor); err != nil {
		return err
	}
	var by *id.UserID
	action := "media.unquarantine"
	if quarantine {
		by, action = &actor.UserID, "media.quarantine"
	}
	if err := s.media.SetQuarantined(ctx, origin, mediaID, by); err != nil {
		return err
	}
	s.audit(ctx, actor, action, "mxc://"+origin+"/"+mediaID, nil)
	return nil
}

// MediaUsage lists local uploaders with their counts and bytes.
func (s *Service) MediaUsage(ctx context.Context, actor accounts.Principal, search string, p media.Page) ([]media.Usage, int64, error) {
	if err := authorize(actor); err != nil {
		return nil, 0, err
	}
	return s.media.UsageByUser(ctx, search, p)
}
