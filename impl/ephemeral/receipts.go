package ephemeral

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/stream"
)

// Receipt and read marker types.
const (
	ReceiptRead        = "m.read"
	ReceiptReadPrivate = "m.read.private"
	ReadMarker         = "m.fully_read"
)

// ThreadMain is the thread ID of receipts in a room's main timeline.
const ThreadMain = "main"

// ReceiptRequest is one receipt a client sends: a type, the event it
// acknowledges, and optionally a thread (nil: unthreaded).
type ReceiptRequest struct {
	Type     string
	Event    id.EventID
	ThreadID *string
}

// PostReceipt stores user's receipt (m.read, m.read.private, or the read
// marker m.fully_read) for an event of room. The user must be joined
// (M_FORBIDDEN) and the event in the room's timeline (M_NOT_FOUND); a
// thread ID must be "main" or the root of a thread the event is in, and
// read markers have none (M_INVALID_PARAM). A receipt for an event older
// than the one already acknowledged is accepted and changes nothing:
// receipts, like read markers, only move forward.
func (s *Service) PostReceipt(ctx context.Context, user id.UserID, room id.RoomID, r ReceiptRequest) error {
	return s.receipts(ctx, user, room, []ReceiptRequest{r})
}

// SetReadMarkers moves the read marker and the receipts of a room at once
// (POST /read_markers); empty event IDs are left alone. Errors are
// PostReceipt's.
func (s *Service) SetReadMarkers(ctx context.Context, user id.UserID, room id.RoomID, fullyRead, read, readPrivate id.EventID) error {
	var rs []ReceiptRequest
	for _, r := range []ReceiptRequest{{Type: ReadMarker, Event: fullyRead}, {Type: ReceiptRead, Event: read}, {Type: ReceiptReadPrivate, Event: readPrivate}} {
		if r.Event != "" {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return nil
	}
	return s.receipts(ctx, user, room, rs)
}

// receipts stores rs in one transaction, with one stream position.
func (s *Service) receipts(ctx context.Context, user id.UserID, room id.RoomID, rs []ReceiptRequest) error {
	for _, r := range rs {
		if err := checkReceipt(r); err != nil {
			return err
		}
	}
	ts := s.now().UnixMilli()
	err := pg.InPipelineTx(ctx, s.pool, func(q *pg.Pipeline) error {
		type move struct {
			ReceiptRequest
			thread string
			pos    int64
		}
		var moves []move
		for _, r := range rs {
			thread := ""
			if r.ThreadID != nil {
				thread = *r.ThreadID
			}
			t, err := s.q.ReceiptTarget(ctx, q, db.ReceiptTargetParams{
				RoomID: string(room), UserID: user, EventID: string(r.Event), ReceiptType: r.Type, ThreadID: thread,
			})
			if pg.IsNoRows(err) {
				return errNotJoined
			}
			if err != nil {
				return fmt.Errorf("read receipt target %s: %w", r.Event, err)
			}
			if event.Membership(t.Membership) != event.MembershipJoin {
				return errNotJoined
			}
			if t.EventPos == nil {
				return mxerr.New(mxerr.NotFound, "event %s not found in this room", r.Event)
			}
			if thread != "" && thread != ThreadMain && !inThread(r.Event, id.EventID(thread), t) {
				return mxerr.New(mxerr.InvalidParam, "event %s is not in thread %s", r.Event, thread)
			}
			if t.CurrentPos != nil && *t.CurrentPos >= *t.EventPos {
				continue // the receipt is at a later event already
			}
			moves = append(moves, move{ReceiptRequest: r, thread: thread, pos: *t.EventPos})
		}
		if len(moves) == 0 {
			return nil
		}
		if err := stream.AdvanceTx(ctx, q); err != nil {
			return err
		}
		public := false
		for _, m := range moves {
			err := s.q.ReceiptPut(ctx, q, db.ReceiptPutParams{
				RoomID: string(room), UserID: user, ReceiptType: m.Type, ThreadID: m.thread,
				EventID: string(m.Event), EventPos: m.pos, Ts: ts,
			})
			if err != nil {
				return fmt.Errorf("store receipt: %w", err)
			}
			switch m.Type {
			case ReceiptRead:
				public = true
			case ReadMarker:
				content, err := json.Marshal(map[string]id.EventID{"event_id": m.Event})
				if err != nil {
					return err
				}
				if err := s.accountData.SetRoomTx(ctx, q, user, room, ReadMarker, content); err != nil {
					return err
				}
			}
		}
		// A public receipt is for every member; a private one and the read
		// marker are for the user's own clients.
		var notifyRoom id.RoomID
		if public {
			notifyRoom = room
		}
		return stream.NotifyCurrentTx(ctx, q, notifyRoom, []id.UserID{user})
	})
	if err != nil {
		return err
	}
	s.Active(ctx, user)
	return nil
}

// checkReceipt checks what needs no database: v1.19 client-server,
// POST /receipt, 400 answers.
func checkReceipt(r ReceiptRequest) error {
	switch r.Type {
	case ReceiptRead, ReceiptReadPrivate, ReadMarker:
	default:
		return mxerr.New(mxerr.InvalidParam, "unknown receipt type %q", r.Type)
	}
	if r.ThreadID == nil {
		return nil
	}
	t := *r.ThreadID
	switch {
	case r.Type == ReadMarker:
		return mxerr.New(mxerr.InvalidParam, "thread_id is not compatible with %s", ReadMarker)
	case t == "":
		return mxerr.New(mxerr.InvalidParam, "thread_id field must be a non-empty string")
	case t != ThreadMain && (t[0] != '$' || len(t) > 255):
		return mxerr.New(mxerr.InvalidParam, "thread_id must be %q or a thread root's event ID", ThreadMain)
	}
	return nil
}

// inThread tells whether ev belongs to the thread of root: it is the root,
// an event of the thread, or relates to an event of the thread (a
// reaction, an edit).
func inThread(ev, root id.EventID, t db.ReceiptTargetRow) bool {
	const thread = "m.thread"
	switch {
	case ev == root:
		return true
	case t.RelType != nil && *t.RelType == thread && t.RelatesTo != nil && id.EventID(*t.RelatesTo) == root:
		return true
	case t.ParentRelType != nil && *t.ParentRelType == thread && t.ParentRelatesTo != nil && id.EventID(*t.ParentRelatesTo) == root:
		return true
	}
	return false
}

// Receipt is a user's receipt in a room, as the push rules' unread counts
// need it.
type Receipt struct {
	Type string
	// ThreadID is "" for an unthreaded receipt, "main" or a thread root.
	ThreadID string
	EventID  id.EventID
	// EventPos is the acknowledged event's stream position: events after
	// it are unread.
	EventPos stream.Pos
	TS       time.Time
}

// Receipts returns user's receipts in room (m.read and m.read.private, per
// thread), the latest event first.
func (s *Service) Receipts(ctx context.Context, room id.RoomID, user id.UserID) ([]Receipt, error) {
	rows, err := s.q.ReceiptsOfUser(ctx, s.pool, db.ReceiptsOfUserParams{RoomID: string(room), UserID: user})
	if err != nil {
		return nil, fmt.Errorf("read receipts of %s in %s: %w", user, room, err)
	}
	out := make([]Receipt, len(rows))
	for i, r := range rows {
		out[i] = Receipt{Type: r.ReceiptType, ThreadID: r.ThreadID, EventID: id.EventID(r.EventID), EventPos: stream.Pos(r.EventPos), TS: time.UnixMilli(r.Ts)}
	}
	return out, nil
}

// LatestReceipt returns user's receipt of room's main timeline (unthreaded
// or "main", public or private) at the latest event, and false when the
// user sent none.
func (s *Service) LatestReceipt(ctx context.Context, room id.RoomID, user id.UserID) (Receipt, bool, error) {
	rs, err := s.Receipts(ctx, room, user)
	if err != nil {
		return Receipt{}, false, err
	}
	for _, r := range rs {
		if r.ThreadID == "" || r.ThreadID == ThreadMain {
			return r, true, nil
		}
	}
	return Receipt{}, false, nil
}

// receiptEvents adds the m.receipt events of rooms for /sync: the receipts
// that changed in (since, upto] (all of them up to upto when since is
// zero), one event per room, without other users' private receipts.
func (s *Service) receiptEvents(ctx context.Context, user id.UserID, rooms []string, since, upto stream.Pos, out map[id.RoomID][]json.RawMessage) error {
	rows, err := s.q.ReceiptsSince(ctx, s.pool, db.ReceiptsSinceParams{RoomIds: rooms, Since: int64(since), Upto: int64(upto), UserID: user})
	if err != nil {
		return fmt.Errorf("read receipts: %w", err)
	}
	if len(rows) == 0 {
		return nil
	}
	// content: event ID → receipt type → user → receipt.
	type content = map[string]map[string]map[id.UserID]receiptBody
	byRoom := map[id.RoomID]content{}
	for _, r := range rows {
		room := id.RoomID(r.RoomID)
		c := byRoom[room]
		if c == nil {
			c = content{}
			byRoom[room] = c
		}
		types := c[r.EventID]
		if types == nil {
			types = map[string]map[id.UserID]receiptBody{}
			c[r.EventID] = types
		}
		users := types[r.ReceiptType]
		if users == nil {
			users = map[id.UserID]receiptBody{}
			types[r.ReceiptType] = users
		}
		users[r.UserID] = receiptBody{TS: r.Ts, ThreadID: r.ThreadID}
	}
	for room, c := range byRoom {
		ev, err := json.Marshal(struct {
			Type    string  `json:"type"`
			Content content `json:"content"`
		}{"m.receipt", c})
		if err != nil {
			return err
		}
		out[room] = append(out[room], ev)
	}
	return nil
}

type receiptBody struct {
	TS       int64  `json:"ts"`
	ThreadID string `json:"thread_id,omitempty"`
}
