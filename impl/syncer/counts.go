package syncer

import (
	"context"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/stream"
)

// unreadCounts fills the joined rooms' unread_notifications from the Counts
// provider: totals over the room, or, when the filter asks for
// unread_thread_notifications, the main timeline's with each thread's
// apart.
func (s *Service) unreadCounts(ctx context.Context, user id.UserID, f *filter.Filter, upto stream.Pos, resp *response) error {
	if s.d.Counts == nil || len(resp.join) == 0 {
		return nil
	}
	rooms := make([]id.RoomID, 0, len(resp.join))
	for room := range resp.join {
		rooms = append(rooms, room)
	}
	counts, err := s.d.Counts.UnreadCounts(ctx, user, rooms, upto)
	if err != nil {
		return err
	}
	threaded := f.Room != nil && f.Room.Timeline != nil && f.Room.Timeline.UnreadThreadNotifications
	for room, c := range counts {
		j := resp.join[room]
		if j == nil {
			continue
		}
		j.Unread = unreadCounts{Notifications: c.Notifications, Highlights: c.Highlights}
		if !threaded {
			continue
		}
		for root, t := range c.Threads {
			j.Unread.Notifications -= t.Notifications
			j.Unread.Highlights -= t.Highlights
			if j.Threads == nil {
				j.Threads = map[id.EventID]unreadCounts{}
			}
			j.Threads[root] = unreadCounts{Notifications: t.Notifications, Highlights: t.Highlights}
		}
	}
	return nil
}
