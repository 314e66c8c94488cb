package slidingsync

import (
	"context"
	"slices"
	"strings"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/stream"
)

// Sync answers a sliding sync request. Without news for the connection it
// waits, up to the request's timeout, for a change that concerns the user.
func (s *Service) Sync(ctx context.Context, r Request) ([]byte, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	c, err := s.open(ctx, &r)
	if err != nil {
		return nil, err
	}
	// As with /sync, an omitted set_presence means online.
	if s.d.Ephemeral != nil {
		if err := s.d.Ephemeral.SetPresence(ctx, r.User, r.SetPresence); err != nil {
			return nil, err
		}
	}
	upto, err := s.d.Notifier.Refresh(ctx)
	if err != nil {
		return nil, err
	}
	upto = max(upto, c.since)
	deadline := time.Now().Add(min(r.Timeout, s.cfg.MaxTimeout))
	for {
		resp, sent, w, err := s.compute(ctx, &r, c, upto)
		if err != nil {
			return nil, err
		}
		if r.Pos == "" || !resp.empty() || !time.Now().Before(deadline) {
			if resp.Pos, err = s.record(ctx, c, upto, sent); err != nil {
				return nil, err
			}
			return resp.encode(r.Shape)
		}
		next, err := s.d.Notifier.WaitUntil(ctx, upto, deadline, w.Match)
		if err != nil {
			return nil, err
		}
		upto = max(upto, next)
	}
}

// compute builds the response for the connection up to upto, and says what
// it sends of each room (to record) and what a wait should watch.
func (s *Service) compute(ctx context.Context, r *Request, c *conn, upto stream.Pos) (*Response, []sentRoom, *stream.Interest, error) {
	list, err := s.roomList(ctx, r, c, upto)
	if err != nil {
		return nil, nil, nil, err
	}
	w := &stream.Interest{User: r.User, Rooms: make(map[id.RoomID]bool, len(list))}
	byID := make(map[id.RoomID]*listRoom, len(list))
	for _, lr := range list {
		byID[lr.id] = lr
		if lr.membership != event.MembershipLeave && lr.membership != event.MembershipBan {
			w.Rooms[lr.id] = true
		}
	}
	resp := newResponse()
	children, err := s.spaceChildren(ctx, r, list)
	if err != nil {
		return nil, nil, nil, err
	}
	inLists := map[id.RoomID][]string{} // the lists each room is in
	for name, l := range r.Lists {
		filtered := filterRooms(list, l.Filters, children[name])
		lr := &listResult{Count: len(filtered)}
		resp.Lists[name] = lr
		for _, rg := range rangesOf(l.Ranges, len(filtered)) {
			op := syncOp{Op: "SYNC", Range: rg}
			for _, room := range filtered[rg[0] : rg[1]+1] {
				inLists[room.id] = append(inLists[room.id], name)
				op.RoomIDs = append(op.RoomIDs, room.id)
			}
			lr.Ops = append(lr.Ops, op)
		}
	}
	// Rooms in the same lists share one combined config (and its key);
	// a subscribed room has its own.
	matched := make(map[id.RoomID]*combined, len(inLists)+len(r.Subscriptions))
	shared := map[string]*combined{}
	for room, names := range inLists {
		slices.Sort(names)
		if _, sub := r.Subscriptions[room]; sub && byID[room] != nil {
			matched[room] = combine(r, names)
			continue
		}
		sig := strings.Join(names, "\x00")
		if shared[sig] == nil {
			shared[sig] = combine(r, names)
		}
		matched[room] = shared[sig]
	}
	for room, rc := range r.Subscriptions {
		if byID[room] == nil {
			continue // not the user's to see
		}
		if matched[room] == nil {
			matched[room] = combine(r, nil)
		}
		matched[room].add(rc)
	}
	sent, err := s.roomResults(ctx, r, c, upto, byID, matched, resp)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := s.extensions(ctx, r, c, upto, matched, resp); err != nil {
		return nil, nil, nil, err
	}
	return resp, sent, w, nil
}

// combine is the config of the named lists of the request.
func combine(r *Request, lists []string) *combined {
	c := &combined{lists: lists}
	for _, name := range lists {
		c.add(r.Lists[name].RoomConfig)
	}
	return c
}

// rangesOf clips ranges to a list of n rooms; no ranges means all of it.
func rangesOf(ranges [][2]int, n int) [][2]int {
	if n == 0 {
		return nil
	}
	if ranges == nil {
		return [][2]int{{0, n - 1}}
	}
	var out [][2]int
	for _, rg := range ranges {
		if rg[0] >= n {
			continue
		}
		out = append(out, [2]int{rg[0], min(rg[1], n-1)})
	}
	return out
}
