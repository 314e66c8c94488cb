package slidingsync

import (
	"context"
	"fmt"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/rooms/state"
	"github.com/hearth-hs/hearth/impl/stream"
)

// describe fills what rooms are shown by: name (computed when none is
// set), avatar, heroes, member counts, unread counts, direct-chat flag and
// bump stamp.
func (s *Service) describe(ctx context.Context, r *Request, upto stream.Pos, plans []*roomPlan) error {
	if len(plans) == 0 {
		return nil
	}
	nids := make([]int64, len(plans))
	byNID := make(map[int64]*roomPlan, len(plans))
	ids := make([]id.RoomID, len(plans))
	for i, p := range plans {
		nids[i], ids[i] = p.lr.RoomNid, p.lr.id
		byNID[p.lr.RoomNid] = p
	}
	counts, err := s.q.SyncMemberCounts(ctx, s.d.Pool, nids)
	if err != nil {
		return fmt.Errorf("count members: %w", err)
	}
	for _, c := range counts {
		res := byNID[c.RoomNid].result
		joined, invited := int(c.Joined), int(c.Invited)
		res.JoinedCount, res.InvitedCount = &joined, &invited
	}
	// Heroes name and picture the rooms without a name that are described.
	var unnamed []int64
	for _, p := range plans {
		if p.lr.name == nil && p.describes() {
			unnamed = append(unnamed, p.lr.RoomNid)
		}
	}
	heroes, err := s.q.SlidingHeroes(ctx, s.d.Pool, db.SlidingHeroesParams{RoomNids: unnamed, UserID: string(r.User)})
	if err != nil {
		return fmt.Errorf("read heroes: %w", err)
	}
	heroesOf := map[int64][]heroRow{}
	for _, h := range heroes {
		c := gjson.GetBytes(h.Pdu, "content")
		heroesOf[h.RoomNid] = append(heroesOf[h.RoomNid], heroRow{
			hero:       hero{UserID: h.UserID, DisplayName: c.Get("displayname").Str, AvatarURL: c.Get("avatar_url").Str},
			membership: h.Membership,
		})
	}
	var unread map[id.RoomID]roomCounts
	if s.d.Counts != nil {
		got, err := s.d.Counts.UnreadCounts(ctx, r.User, ids, upto)
		if err != nil {
			return err
		}
		unread = make(map[id.RoomID]roomCounts, len(got))
		for room, c := range got {
			unread[room] = roomCounts{c.Notifications, c.Highlights}
		}
	}
	for _, p := range plans {
		res, lr := p.result, p.lr
		res.BumpStamp = int64(lr.bump)
		res.IsDM = lr.isDM
		u := unread[lr.id]
		res.Notifications, res.Highlights = u.notifications, u.highlights
		if !p.describes() {
			continue
		}
		res.Avatar = lr.avatar
		hs := heroesOf[lr.RoomNid]
		if lr.name != nil {
			res.Name = lr.name
			continue
		}
		res.Heroes = make([]hero, 0, len(hs))
		for _, h := range hs[:min(len(hs), 5)] {
			res.Heroes = append(res.Heroes, h.hero)
		}
		name := roomName(lr.alias, hs, res)
		res.Name = &name
	}
	return nil
}

// describes tells whether the room's result carries its name, avatar and
// heroes: when sent afresh, or when its state changed.
func (p *roomPlan) describes() bool {
	return p.initial || p.expanded || p.stateChanged
}

type heroRow struct {
	hero
	membership string
}

type roomCounts struct{ notifications, highlights int }

// roomName names a room without m.room.name as the spec's display name
// rules do: its canonical alias, else its other members ("Alice and Bob",
// "Alice, Bob and 3 others"), else "Empty Room" (naming who was there).
func roomName(alias string, hs []heroRow, res *roomResult) string {
	if alias != "" {
		return alias
	}
	var present, gone []string
	for _, h := range hs {
		n := h.DisplayName
		if n == "" {
			n = string(h.UserID)
		}
		if h.membership == "leave" {
			gone = append(gone, n)
		} else {
			present = append(present, n)
		}
	}
	total := 0
	if res.JoinedCount != nil {
		total += *res.JoinedCount + *res.InvitedCount
	}
	if len(present) > 0 && total > 1 {
		return listNames(present[:min(len(present), 5)], total-1-min(len(present), 5))
	}
	if len(gone) > 0 {
		return "Empty Room (was " + listNames(gone[:min(len(gone), 5)], 0) + ")"
	}
	return "Empty Room"
}

func listNames(names []string, others int) string {
	switch {
	case others > 0:
		return joinNames(names) + " and " + fmt.Sprint(others) + " others"
	case len(names) == 1:
		return names[0]
	}
	return joinNames(names[:len(names)-1]) + " and " + names[len(names)-1]
}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

// stripped fills an invite or knock: stripped state and the user's own
// member event, as /sync's invite_state.
func (s *Service) stripped(ctx context.Context, r *Request, p *roomPlan) error {
	snap := state.SnapshotNID(0)
	if p.lr.CurrentSnapshotNid != nil {
		snap = state.SnapshotNID(*p.lr.CurrentSnapshotNid)
	}
	evs, err := s.d.Rooms.StrippedState(ctx, snap, r.User)
	if err != nil {
		return err
	}
	p.result.Stripped, p.result.Name = evs, p.lr.name
	p.result.BumpStamp = int64(p.lr.bump)
	return nil
}
