package push

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/stream"
	"github.com/hearth-hs/hearth/impl/syncer"
)

// tally is a count of notifying events and of the highlighting ones among
// them.
type tally struct{ n, h int }

// roomTally is a room's unread counts: the main timeline's and per thread
// (keyed by the thread's root).
type roomTally struct {
	main    tally
	threads map[id.EventID]tally
}

func (t *roomTally) bucket(thread id.EventID) tally {
	if thread == "" {
		return t.main
	}
	return t.threads[thread]
}

func (t *roomTally) set(thread id.EventID, v tally) {
	if thread == "" {
		t.main = v
		return
	}
	if t.threads == nil {
		t.threads = map[id.EventID]tally{}
	}
	if v == (tally{}) {
		delete(t.threads, thread)
		return
	}
	t.threads[thread] = v
}

func (t *roomTally) add(thread id.EventID, o Outcome) {
	v := t.bucket(thread)
	v.n++
	if o.Highlight {
		v.h++
	}
	t.set(thread, v)
}

// counts is the tally as /sync's providers answer it: totals over the main
// timeline and every thread, and the threads on their own.
func (t *roomTally) counts() syncer.RoomCounts {
	c := syncer.RoomCounts{Notifications: t.main.n, Highlights: t.main.h}
	for root, v := range t.threads {
		c.Notifications += v.n
		c.Highlights += v.h
		if c.Threads == nil {
			c.Threads = map[id.EventID]syncer.ThreadCounts{}
		}
		c.Threads[root] = syncer.ThreadCounts{Notifications: v.n, Highlights: v.h}
	}
	return c
}

func (t *roomTally) encodeThreads() []byte {
	if len(t.threads) == 0 {
		return nil
	}
	m := make(map[id.EventID][2]int, len(t.threads))
	for root, v := range t.threads {
		m[root] = [2]int{v.n, v.h}
	}
	b, _ := json.Marshal(m)
	return b
}

func decodeThreads(b []byte) (map[id.EventID]tally, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var m map[id.EventID][2]int
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode cached thread counts: %w", err)
	}
	out := make(map[id.EventID]tally, len(m))
	for root, v := range m {
		out[root] = tally{v[0], v[1]}
	}
	return out, nil
}

// receipts are where a user has read a room up to: unthreaded (every
// thread), the main timeline's, and per thread (m.read and m.read.private
// alike, the later one counting), and where they joined.
type receipts struct {
	unthreaded, main, member int64
	threads                  map[id.EventID]int64
}

func receiptsOf(row db.PushCountBasisRow) receipts {
	r := receipts{unthreaded: row.Unthreaded, main: row.Main, member: row.MemberPos}
	for i, t := range row.ThreadIds {
		if i < len(row.ThreadPos) {
			if r.threads == nil {
				r.threads = map[id.EventID]int64{}
			}
			r.threads[id.EventID(t)] = max(r.threads[id.EventID(t)], row.ThreadPos[i])
		}
	}
	return r
}

// lower is where counting starts: after the unthreaded receipt and the
// membership.
func (r receipts) lower() int64 { return max(r.unthreaded, r.member) }

// read tells whether an event at pos in thread ("" for the main timeline)
// is read: at or before the unthreaded receipt or its thread's receipt
// (v1.19 client-server, threaded read receipts), or before the user joined.
func (r receipts) read(pos int64, thread id.EventID) bool {
	if pos <= r.unthreaded || pos <= r.member {
		return true
	}
	if thread == "" {
		return pos <= r.main
	}
	return pos <= r.threads[thread]
}

// UnreadCounts implements impl/syncer's Counts: for each of rooms the user
// is joined to, the events up to upto that notify them (and highlight)
// since their receipts, in total and per thread. Rooms they are not joined
// to are left out.
//
// Counts are computed here, when read, and cached per user and room with
// the receipts they were counted from: while the receipts stay, only the
// events after the cached position are evaluated; when a receipt moves,
// the room is counted again from the receipt. At most
// Config.UnreadEventsCap of the latest unread events are evaluated per
// room. A user's own event counts as a receipt for its thread (v1.19
// client-server, push: sending an event marks what precedes it read).
func (s *Service) UnreadCounts(ctx context.Context, user id.UserID, rooms []id.RoomID, upto stream.Pos) (map[id.RoomID]syncer.RoomCounts, error) {
	if len(rooms) == 0 {
		return map[id.RoomID]syncer.RoomCounts{}, nil
	}
	ids := make([]string, len(rooms))
	for i, r := range rooms {
		ids[i] = string(r)
	}
	return s.unreadCounts(ctx, user, db.PushCountBasisParams{UserID: user, RoomIds: ids}, upto, upto)
}

// unreadCounts counts the rooms basis selects (see UnreadCounts): a cache
// that covers need is taken as it is, otherwise the room is counted up to
// upto (need <= upto).
func (s *Service) unreadCounts(ctx context.Context, user id.UserID, basis db.PushCountBasisParams, need, upto stream.Pos) (map[id.RoomID]syncer.RoomCounts, error) {
	rows, err := s.q.PushCountBasis(ctx, s.pool, basis)
	if err != nil {
		return nil, fmt.Errorf("read unread count basis of %s: %w", user, err)
	}
	out := make(map[id.RoomID]syncer.RoomCounts, len(rows))
	plans := make([]*countPlan, 0, len(rows))
	for _, row := range rows {
		p, err := planCount(row, int64(need))
		if err != nil {
			return nil, err
		}
		if p.done {
			out[id.RoomID(row.RoomID)] = p.tally.counts()
			continue
		}
		plans = append(plans, p)
	}
	if len(plans) == 0 {
		return out, nil
	}
	ev, err := s.evaluator(ctx, s.pool, user)
	if err != nil {
		return nil, err
	}
	// Rooms with a cache add the events after it; those with too many new
	// events or a redaction among them (which may uncount one), and those
	// without a cache, are counted from their receipts: one query each
	// way for all rooms.
	limit := s.cfg.UnreadEventsCap
	var adding []*countPlan
	for _, p := range plans {
		if p.cached {
			adding = append(adding, p)
		}
	}
	evs, err := s.countEvents(ctx, adding, func(p *countPlan) int64 { return *p.row.CachedUpto }, int64(upto), limit+1)
	if err != nil {
		return nil, err
	}
	var recount []*countPlan
	for _, p := range plans {
		if p.cached && len(evs[p.row.RoomNid]) <= limit && !hasRedaction(evs[p.row.RoomNid]) {
			room := s.newRoomState(ctx, s.pool, p.row.RoomNid, id.RoomID(p.row.RoomID), id.RoomVersion(p.row.RoomVersion))
			// The events after the cache, oldest first, onto it.
			roomEvs := evs[p.row.RoomNid]
			for i := len(roomEvs) - 1; i >= 0; i-- {
				countEvent(ev, room, user, p.receipts, roomEvs[i], &p.tally, nil)
			}
			if room.err != nil {
				return nil, room.err
			}
			continue
		}
		recount = append(recount, p)
	}
	evs, err = s.countEvents(ctx, recount, func(p *countPlan) int64 { return p.receipts.lower() }, int64(upto), limit)
	if err != nil {
		return nil, err
	}
	for _, p := range recount {
		room := s.newRoomState(ctx, s.pool, p.row.RoomNid, id.RoomID(p.row.RoomID), id.RoomVersion(p.row.RoomVersion))
		// Newest first: a user's own event closes its thread to older
		// events.
		p.tally = roomTally{}
		closed := map[id.EventID]bool{}
		for _, e := range evs[p.row.RoomNid] {
			countEvent(ev, room, user, p.receipts, e, &p.tally, closed)
		}
		if room.err != nil {
			return nil, room.err
		}
	}
	put := db.PushCountsPutParams{UserID: string(user)}
	for _, p := range plans {
		out[id.RoomID(p.row.RoomID)] = p.tally.counts()
		put.RoomNids = append(put.RoomNids, p.row.RoomNid)
		put.Uptos = append(put.Uptos, int64(upto))
		put.ReceiptPoss = append(put.ReceiptPoss, p.row.ReceiptPos)
		put.MemberPoss = append(put.MemberPoss, p.row.MemberPos)
		put.Notificationss = append(put.Notificationss, int32(p.tally.main.n))
		put.Highlightss = append(put.Highlightss, int32(p.tally.main.h))
		put.Threadss = append(put.Threadss, p.tally.encodeThreads())
	}
	if err := s.q.PushCountsPut(ctx, s.pool, put); err != nil {
		return nil, fmt.Errorf("cache unread counts of %s: %w", user, err)
	}
	return out, nil
}

// countPlan is how one room's counts are had: from the cache as it is
// (done), by adding to it (cached), or by counting again.
type countPlan struct {
	row      db.PushCountBasisRow
	receipts receipts
	tally    roomTally
	cached   bool
	done     bool
}

// planCount reads a room's cache: usable when it was counted with the
// same receipts and membership, enough as it is when it covers need.
func planCount(row db.PushCountBasisRow, need int64) (*countPlan, error) {
	p := &countPlan{row: row, receipts: receiptsOf(row)}
	p.cached = row.CachedUpto != nil && *row.CachedReceiptPos == row.ReceiptPos && *row.CachedMemberPos == row.MemberPos
	if !p.cached {
		return p, nil
	}
	threads, err := decodeThreads(row.CachedThreads)
	if err != nil {
		return nil, err
	}
	p.tally = roomTally{main: tally{int(*row.CachedNotifications), int(*row.CachedHighlights)}, threads: threads}
	p.done = *row.CachedUpto >= need
	return p, nil
}

// countEvents reads the plans' rooms' events after after(plan) up to upto,
// the latest lim of each, newest first, by room.
func (s *Service) countEvents(ctx context.Context, plans []*countPlan, after func(*countPlan) int64, upto int64, lim int) (map[int64][]db.PushCountEventsRow, error) {
	out := map[int64][]db.PushCountEventsRow{}
	if len(plans) == 0 {
		return out, nil
	}
	nids := make([]int64, len(plans))
	afters := make([]int64, len(plans))
	for i, p := range plans {
		nids[i], afters[i] = p.row.RoomNid, after(p)
	}
	rows, err := s.q.PushCountEvents(ctx, s.pool, db.PushCountEventsParams{RoomNids: nids, Afters: afters, Upto: upto, Lim: int32(lim)})
	if err != nil {
		return nil, fmt.Errorf("read events to count: %w", err)
	}
	for _, r := range rows {
		out[r.RoomNid] = append(out[r.RoomNid], r)
	}
	return out, nil
}

// countEvent adds one event to t. With closed (events newest first), the
// user's own event marks its thread's older events read; without (oldest
// first), it resets its thread's count.
func countEvent(ev *Evaluator, room *roomState, user id.UserID, r receipts, e db.PushCountEventsRow, t *roomTally, closed map[id.EventID]bool) {
	if e.StreamPos == nil || e.Redacted {
		return
	}
	pe := NewEvent(id.EventID(e.EventID), room.id, e.Pdu)
	thread := pe.ThreadID
	if closed != nil && closed[thread] {
		return
	}
	if id.UserID(e.Sender) == user {
		if closed != nil {
			closed[thread] = true
		} else {
			t.set(thread, tally{})
		}
		return
	}
	if r.read(*e.StreamPos, thread) {
		return
	}
	o := ev.Evaluate(pe, room.forEvent(id.UserID(e.Sender)))
	if o.Notify {
		t.add(thread, o)
	}
}

// threadOf returns the root of the thread an event is in, "" for the main
// timeline.
func threadOf(pdu []byte) id.EventID {
	rel := gjson.GetBytes(pdu, `content.m\.relates_to`)
	if rel.Get("rel_type").Str != "m.thread" {
		return ""
	}
	return id.EventID(rel.Get("event_id").Str)
}

func hasRedaction(evs []db.PushCountEventsRow) bool {
	for _, e := range evs {
		if gjson.GetBytes(e.Pdu, "type").Str == event.EventRedaction.Type {
			return true
		}
	}
	return false
}
