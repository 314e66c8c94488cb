package slidingsync

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/stream"
)

// listRoom is one room of the user's room list, with what lists filter and
// rooms are named by.
type listRoom struct {
	db.SlidingRoomListRow
	id         id.RoomID
	membership event.Membership
	// latest is the room's latest event the user may hear of: the
	// room's for joined rooms, the membership change otherwise.
	latest stream.Pos
	// bump sorts the list and is the room's bump_stamp: its latest
	// message-like event (rooms.bump_pos), or the user's joining if later;
	// the membership change for rooms the user is not in.
	bump      stream.Pos
	roomType  string
	typed     bool
	encrypted bool
	name      *string
	avatar    *string
	alias     string
	isDM      bool
	tags      map[string]bool
}

// roomList builds the user's room list, most recently bumped first: rooms joined,
// invited to, knocked on, or been kicked or banned from; rooms they left
// themselves only if this connection sent them before.
func (s *Service) roomList(ctx context.Context, r *Request, c *conn, upto stream.Pos) ([]*listRoom, error) {
	rows, err := s.listRows(ctx, r.User)
	if err != nil {
		return nil, err
	}
	list := make([]*listRoom, 0, len(rows))
	for _, row := range rows {
		lr := &listRoom{SlidingRoomListRow: row, id: id.RoomID(row.RoomID), membership: event.Membership(row.Membership)}
		lr.name, lr.avatar, lr.encrypted = row.Name, row.AvatarUrl, row.Encryption != nil
		if row.RoomType != nil {
			lr.roomType, lr.typed = *row.RoomType, true
		}
		if row.CanonicalAlias != nil {
			lr.alias = *row.CanonicalAlias
		}
		if stream.Pos(row.MembershipPos) > upto {
			continue // the next response will have it
		}
		switch lr.membership {
		case event.MembershipJoin:
			// A later event's position is the next response's news.
			lr.latest = stream.Pos(min(row.LastPos, int64(upto)))
			lr.bump = stream.Pos(max(min(row.BumpPos, int64(upto)), row.MembershipPos))
		case event.MembershipInvite, event.MembershipKnock:
			lr.latest, lr.bump = stream.Pos(row.MembershipPos), stream.Pos(row.MembershipPos)
		default:
			_, sent := c.rooms[row.RoomID]
			if row.MembershipSender == string(r.User) && !sent {
				continue // they left themselves: they know
			}
			lr.latest, lr.bump = stream.Pos(row.MembershipPos), stream.Pos(row.MembershipPos)
		}
		list = append(list, lr)
	}
	if err := s.accountFacts(ctx, r, list, upto); err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b *listRoom) int {
		if a.bump != b.bump {
			return int(b.bump - a.bump)
		}
		return compareStrings(string(a.id), string(b.id))
	})
	return list, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// listRows reads the user's rooms, with their summaries brought up to date
// first when some are stale (their state changed since).
func (s *Service) listRows(ctx context.Context, user id.UserID) ([]db.SlidingRoomListRow, error) {
	rows, err := s.q.SlidingRoomList(ctx, s.d.Pool, user)
	if err != nil {
		return nil, fmt.Errorf("read room list: %w", err)
	}
	var stale []string
	for _, row := range rows {
		if row.Stale {
			stale = append(stale, row.RoomID)
		}
	}
	if len(stale) == 0 || s.d.Summaries == nil {
		return rows, nil
	}
	if err := s.d.Summaries.RefreshSummaries(ctx, stale); err != nil {
		return nil, err
	}
	if rows, err = s.q.SlidingRoomList(ctx, s.d.Pool, user); err != nil {
		return nil, fmt.Errorf("read room list: %w", err)
	}
	return rows, nil
}

// accountFacts reads from the user's account data which rooms are direct
// chats (m.direct) and how rooms are tagged (m.tag).
func (s *Service) accountFacts(ctx context.Context, r *Request, list []*listRoom, upto stream.Pos) error {
	if s.d.AccountData == nil {
		return nil
	}
	global, err := s.d.AccountData.GlobalAccountData(ctx, r.User, 0, upto)
	if err != nil {
		return err
	}
	dm := map[id.RoomID]bool{}
	for _, ev := range global {
		if gjson.GetBytes(ev, "type").Str != event.AccountDataDirectChats.Type {
			continue
		}
		gjson.GetBytes(ev, "content").ForEach(func(_, rooms gjson.Result) bool {
			for _, room := range rooms.Array() {
				dm[id.RoomID(room.Str)] = true
			}
			return true
		})
	}
	ids := make([]id.RoomID, len(list))
	for i, lr := range list {
		ids[i] = lr.id
		lr.isDM = dm[lr.id]
	}
	if !slices.ContainsFunc(slices.Collect(maps.Values(r.Lists)), func(l ListConfig) bool {
		return len(l.Filters.Tags) > 0 || len(l.Filters.NotTags) > 0
	}) {
		return nil // no list filters by tags
	}
	perRoom, err := s.d.AccountData.RoomAccountData(ctx, r.User, ids, 0, upto)
	if err != nil {
		return err
	}
	for _, lr := range list {
		for _, ev := range perRoom[lr.id] {
			if gjson.GetBytes(ev, "type").Str != event.AccountDataRoomTags.Type {
				continue
			}
			var tags struct {
				Tags map[string]json.RawMessage `json:"tags"`
			}
			if err := json.Unmarshal([]byte(gjson.GetBytes(ev, "content").Raw), &tags); err == nil {
				lr.tags = map[string]bool{}
				for t := range tags.Tags {
					lr.tags[t] = true
				}
			}
		}
	}
	return nil
}

// filter keeps the rooms of the list that f accepts; spaceChildren holds
// the children of f's spaces.
func filterRooms(list []*listRoom, f Filters, spaceChildren map[id.RoomID]bool) []*listRoom {
	out := list[:0:0]
	for _, lr := range list {
		if f.IsDM != nil && lr.isDM != *f.IsDM {
			continue
		}
		if f.IsEncrypted != nil && lr.encrypted != *f.IsEncrypted {
			continue
		}
		if f.IsInvited != nil && (lr.membership == event.MembershipInvite) != *f.IsInvited {
			continue
		}
		if f.Spaces != nil && !spaceChildren[lr.id] {
			continue
		}
		rt := ""
		if lr.typed {
			rt = lr.roomType
		}
		if f.HasRoomTypes && !slices.Contains(f.RoomTypes, rt) {
			continue
		}
		if slices.Contains(f.NotRoomTypes, rt) {
			continue
		}
		if len(f.Tags) > 0 && !slices.ContainsFunc(f.Tags, func(t string) bool { return lr.tags[t] }) {
			continue
		}
		if slices.ContainsFunc(f.NotTags, func(t string) bool { return lr.tags[t] }) {
			continue
		}
		out = append(out, lr)
	}
	return out
}

// spaceChildren reads the children of the spaces of every list's filters
// (spaces the user is joined to only).
func (s *Service) spaceChildren(ctx context.Context, r *Request, list []*listRoom) (map[string]map[id.RoomID]bool, error) {
	joined := map[id.RoomID]bool{}
	for _, lr := range list {
		if lr.membership == event.MembershipJoin {
			joined[lr.id] = true
		}
	}
	out := map[string]map[id.RoomID]bool{}
	for name, l := range r.Lists {
		if l.Filters.Spaces == nil {
			continue
		}
		var spaces []string
		for _, sp := range l.Filters.Spaces {
			if joined[sp] {
				spaces = append(spaces, string(sp))
			}
		}
		children := map[id.RoomID]bool{}
		if len(spaces) > 0 {
			rows, err := s.q.SlidingSpaceChildren(ctx, s.d.Pool, spaces)
			if err != nil {
				return nil, fmt.Errorf("read space children: %w", err)
			}
			for _, child := range rows {
				children[id.RoomID(child)] = true
			}
		}
		out[name] = children
	}
	return out, nil
}
