package syncer

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
)

// summaries fills the summary of rooms sent whole or whose membership
// changed: heroes and member counts, read in two queries for all rooms.
func (s *Service) summaries(ctx context.Context, user id.UserID, ms []*membership, resp *response) error {
	if len(ms) == 0 {
		return nil
	}
	nids := make([]int64, len(ms))
	byNID := make(map[int64]*joinedRoom, len(ms))
	for i, m := range ms {
		nids[i] = m.RoomNid
		room := resp.join[m.id]
		room.Summary = &summary{Heroes: []id.UserID{}}
		byNID[m.RoomNid] = room
	}
	counts, err := s.q.SyncMemberCounts(ctx, s.d.Pool, nids)
	if err != nil {
		return fmt.Errorf("count members: %w", err)
	}
	for _, c := range counts {
		sum := byNID[c.RoomNid].Summary
		sum.Joined, sum.Invited = int(c.Joined), int(c.Invited)
	}
	heroes, err := s.q.SyncHeroes(ctx, s.d.Pool, db.SyncHeroesParams{RoomNids: nids, UserID: string(user)})
	if err != nil {
		return fmt.Errorf("read heroes: %w", err)
	}
	for _, h := range heroes {
		sum := byNID[h.RoomNid].Summary
		sum.Heroes = append(sum.Heroes, h.UserID)
	}
	return nil
}
