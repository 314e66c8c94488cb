package push

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/rooms/events"
)

// Notification is one event a user was notified of.
type Notification struct {
	RoomID id.RoomID
	// Event is the event in its client form, without room_id.
	Event json.RawMessage
	// TS is when the event was sent, in milliseconds.
	TS int64
	// Read tells whether the user's receipts have passed the event.
	Read bool
	// Actions are the actions of the rule that matched, as JSON.
	Actions []json.RawMessage
}

// NotificationPage is a page of GET /notifications.
type NotificationPage struct {
	Notifications []Notification
	// NextToken continues the list, "" at its end.
	NextToken string
}

const (
	defaultNotificationLimit = 20
	maxNotificationLimit     = 100
	notificationScanBatch    = 200
)

// Notifications lists the events that notified user, newest first, from
// the rooms they are in (since they joined them): their rules are run over
// the rooms' events backwards from the from token, no more than
// Config.NotificationsScan events per request, so a page may hold fewer
// than limit with a next token. only "highlight" keeps highlights alone. A
// bad token is M_INVALID_PARAM.
func (s *Service) Notifications(ctx context.Context, user id.UserID, from string, limit int, only string) (*NotificationPage, error) {
	before := int64(math.MaxInt64)
	if from != "" {
		n, err := strconv.ParseInt(from, 10, 64)
		if err != nil || n <= 0 {
			return nil, mxerr.New(mxerr.InvalidParam, "unknown from token %q", from)
		}
		before = n
	}
	if limit <= 0 {
		limit = defaultNotificationLimit
	}
	limit = min(limit, maxNotificationLimit)
	page := &NotificationPage{Notifications: []Notification{}}

	joined, err := s.q.PushJoinedSince(ctx, s.pool, user)
	if err != nil {
		return nil, fmt.Errorf("read rooms of %s: %w", user, err)
	}
	if len(joined) == 0 {
		return page, nil
	}
	nids := make([]int64, len(joined))
	since := make([]int64, len(joined))
	roomIDs := make([]string, len(joined))
	rooms := make(map[int64]*roomState, len(joined))
	for i, j := range joined {
		nids[i], since[i], roomIDs[i] = j.RoomNid, j.JoinedAt, j.RoomID
		rooms[j.RoomNid] = s.newRoomState(ctx, s.pool, j.RoomNid, id.RoomID(j.RoomID), id.RoomVersion(j.RoomVersion))
	}
	basis, err := s.q.PushCountBasis(ctx, s.pool, db.PushCountBasisParams{UserID: user, RoomIds: roomIDs})
	if err != nil {
		return nil, fmt.Errorf("read receipts of %s: %w", user, err)
	}
	read := make(map[int64]receipts, len(basis))
	for _, b := range basis {
		read[b.RoomNid] = receiptsOf(b)
	}
	ev, err := s.evaluator(ctx, s.pool, user)
	if err != nil {
		return nil, err
	}
	for scanned := 0; scanned < s.cfg.NotificationsScan; {
		batch := min(notificationScanBatch, s.cfg.NotificationsScan-scanned)
		evs, err := s.q.PushNotificationEvents(ctx, s.pool, db.PushNotificationEventsParams{
			RoomNids: nids, JoinedAt: since, Before: before, UserID: string(user), Lim: int32(batch)})
		if err != nil {
			return nil, fmt.Errorf("read events of %s: %w", user, err)
		}
		for _, e := range evs {
			scanned++
			before = *e.StreamPos
			room := rooms[e.RoomNid]
			pe := NewEvent(id.EventID(e.EventID), room.id, e.Pdu)
			o := ev.Evaluate(pe, room.forEvent(id.UserID(e.Sender)))
			if room.err != nil {
				return nil, room.err
			}
			if !o.Notify || (only == "highlight" && !o.Highlight) {
				continue
			}
			page.Notifications = append(page.Notifications, s.notificationOf(e, pe, o, room.id, read[e.RoomNid]))
			if len(page.Notifications) == limit {
				page.NextToken = strconv.FormatInt(before, 10)
				return page, nil
			}
		}
		if len(evs) < batch {
			return page, nil
		}
	}
	// The scan budget ran out before the list did: the client goes on from
	// here.
	page.NextToken = strconv.FormatInt(before, 10)
	return page, nil
}

func (s *Service) notificationOf(e db.PushNotificationEventsRow, pe *Event, o Outcome, room id.RoomID, r receipts) Notification {
	stored := &events.Event{ID: pe.ID, RoomID: room, Type: pe.Type, StateKey: pe.StateKey, Sender: pe.Sender,
		OriginTS: e.OriginTs, PDU: e.Pdu}
	actions := make([]json.RawMessage, len(o.Actions))
	for i, a := range o.Actions {
		actions[i] = a.Raw
	}
	return Notification{
		RoomID:  room,
		Event:   stored.AppendClient(nil, events.ClientOptions{Now: s.now(), OmitRoomID: true}),
		TS:      e.OriginTs,
		Read:    r.read(*e.StreamPos, threadOf(e.Pdu)),
		Actions: actions,
	}
}
