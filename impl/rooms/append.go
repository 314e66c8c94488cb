package rooms

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/federation/eventauth"
	"maunium.net/go/mautrix/federation/pdu"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/state"
	"github.com/hearth-hs/hearth/impl/stream"
)

// newEvent is a local event to append to a room.
type newEvent struct {
	Type     string
	StateKey *string
	// KeyNID is the interned (Type, StateKey) of a state event, made with
	// state.Store.KeyNID before the transaction began.
	KeyNID  state.KeyNID
	Sender  id.UserID
	Content []byte
	// Redacts is the redacted event, for m.room.redaction in room
	// versions before 11 (later versions carry it in content).
	Redacts *id.EventID
	// TS is the event's timestamp; zero means now. createRoom fixes it so
	// that a room ID derived from the create event is known beforehand.
	TS int64
}

// appendTx is the one write path of local events: it builds ne on top of
// the room's latest events, checks it against the auth rules with the
// room's current state, and stores it, its state delta, the new current
// state and memberships, taking the event's stream position and announcing
// it on commit. r is updated to the room after the event.
func (s *Service) appendTx(ctx context.Context, tx pgx.Tx, r *room, ne newEvent) (*events.Event, error) {
	if ne.TS == 0 {
		ne.TS = s.now().UnixMilli()
	}
	proto := &pdu.PDU{Type: ne.Type, StateKey: ne.StateKey, Sender: ne.Sender, Content: ne.Content}
	authEvents, authNIDs, err := s.authStateTx(ctx, tx, r, proto.AuthEventSelection(r.version))
	if err != nil {
		return nil, err
	}
	prevIDs, err := s.eventIDsTx(ctx, tx, r.latest)
	if err != nil {
		return nil, err
	}
	roomID := r.id
	if ne.Type == event.StateCreate.Type && r.version.RoomIDIsCreateEventID() {
		roomID = "" // the create event defines the room ID
	}
	built, err := s.signer.Build(r.version, events.Proto{
		RoomID: roomID, Type: ne.Type, StateKey: ne.StateKey, Sender: ne.Sender, Content: ne.Content,
		Redacts: ne.Redacts, PrevEvents: prevIDs, AuthEvents: authNIDs, Depth: r.maxDepth + 1,
		TS: ne.TS,
	})
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, tx, r, built.PDU, authEvents); err != nil {
		return nil, err
	}

	nid, err := events.NextNIDTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	stored := events.Stored{Depth: r.maxDepth + 1, StateBefore: int64(r.snapshot), StateAfter: int64(r.snapshot), PrevEvents: r.latest}
	after := r.snapshot
	if ne.StateKey != nil {
		if ne.KeyNID == 0 {
			return nil, fmt.Errorf("append %s: state key %q was not interned", ne.Type, *ne.StateKey)
		}
		replaced, err := s.q.CurrentStateEventNID(ctx, tx, db.CurrentStateEventNIDParams{RoomNid: r.held.RoomNID(), Type: ne.Type, StateKey: *ne.StateKey})
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("read replaced state: %w", err)
		}
		stored.Replaces = events.NID(replaced)
		after, err = s.state.AddTx(ctx, tx, r.held, r.snapshot, state.Entries{ne.KeyNID: nid})
		if err != nil {
			return nil, err
		}
		stored.StateAfter = int64(after)
	}

	// Every lock this transaction waits for is held by now: take the
	// stream position (and with it the barrier) last.
	stored.Pos, err = stream.NextTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := events.InsertTx(ctx, tx, r.held, nid, built, stored); err != nil {
		return nil, err
	}
	change := stream.Change{Pos: stored.Pos, Room: r.id}
	if ne.StateKey != nil {
		if err := s.q.CurrentStateSet(ctx, tx, db.CurrentStateSetParams{RoomNid: r.held.RoomNID(), KeyNid: int64(ne.KeyNID), EventNid: int64(nid)}); err != nil {
			return nil, fmt.Errorf("update current state: %w", err)
		}
		if ne.Type == event.StateMember.Type {
			target := id.UserID(*ne.StateKey)
			if err := s.q.MembershipSet(ctx, tx, db.MembershipSetParams{
				RoomNid: r.held.RoomNID(), UserID: target, Membership: membershipOf(ne.Content),
				EventNid: int64(nid), StreamPos: int64(stored.Pos), IsLocal: s.IsLocal(target),
			}); err != nil {
				return nil, fmt.Errorf("update membership: %w", err)
			}
			// An invitee, knocker or leaver is not necessarily a member who
			// would hear of the room otherwise.
			change.Users = []id.UserID{target}
		}
	}
	if err := s.q.RoomAdvance(ctx, tx, db.RoomAdvanceParams{
		RoomNid: r.held.RoomNID(), Latest: []int64{int64(nid)}, Depth: stored.Depth, Snapshot: int64(after),
	}); err != nil {
		return nil, fmt.Errorf("advance room: %w", err)
	}
	if err := stream.NotifyTx(ctx, tx, change); err != nil {
		return nil, err
	}
	r.latest, r.maxDepth, r.snapshot = []events.NID{nid}, stored.Depth, after
	return &events.Event{
		NID: nid, ID: built.ID, RoomNID: r.held.RoomNID(), RoomID: r.id, Version: r.version, Pos: stored.Pos,
		Depth: stored.Depth, Type: ne.Type, StateKey: ne.StateKey, Sender: ne.Sender, OriginTS: built.PDU.OriginServerTS,
		PDU: built.Bytes, StateBefore: stored.StateBefore, StateAfter: stored.StateAfter, Replaces: stored.Replaces,
	}, nil
}

// authStateTx returns the current state events the auth rules select for an
// event, parsed, and their IDs for the event's auth_events.
func (s *Service) authStateTx(ctx context.Context, tx pgx.Tx, r *room, sel pdu.AuthEventSelection) ([]*pdu.PDU, []id.EventID, error) {
	keyNIDs := make([]int64, 0, len(sel))
	for _, k := range sel {
		n, ok, err := s.state.LookupKeyNID(ctx, tx, state.Key{Type: k.Type, StateKey: k.StateKey})
		if err != nil {
			return nil, nil, err
		}
		if ok {
			keyNIDs = append(keyNIDs, int64(n))
		}
	}
	rows, err := s.q.CurrentStateEventsByKeys(ctx, tx, db.CurrentStateEventsByKeysParams{RoomNid: r.held.RoomNID(), KeyNids: keyNIDs})
	if err != nil {
		return nil, nil, fmt.Errorf("read auth state: %w", err)
	}
	pdus := make([]*pdu.PDU, 0, len(rows))
	ids := make([]id.EventID, 0, len(rows))
	for _, row := range rows {
		ev := events.FromRow(row.Event, string(r.id), string(r.version))
		p, err := ev.Parse()
		if err != nil {
			return nil, nil, err
		}
		p.RoomID = r.id
		pdus = append(pdus, p)
		ids = append(ids, ev.ID)
	}
	return pdus, ids, nil
}

func (s *Service) eventIDsTx(ctx context.Context, q db.DBTX, nids []events.NID) ([]id.EventID, error) {
	if len(nids) == 0 {
		return nil, nil
	}
	raw := make([]int64, len(nids))
	for i, n := range nids {
		raw[i] = int64(n)
	}
	rows, err := s.q.EventIDsByNIDs(ctx, q, raw)
	if err != nil {
		return nil, fmt.Errorf("read prev events: %w", err)
	}
	out := make([]id.EventID, len(rows))
	for i, row := range rows {
		out[i] = id.EventID(row.EventID)
	}
	return out, nil
}

// authorize checks p against the auth rules with the given auth events. A
// rule that fails is M_FORBIDDEN, saying which.
func (s *Service) authorize(ctx context.Context, tx pgx.Tx, r *room, p *pdu.PDU, authEvents []*pdu.PDU) error {
	getEvents := func(ids []id.EventID) ([]*pdu.PDU, error) {
		out := make([]*pdu.PDU, 0, len(ids))
		for _, evID := range ids {
			ev, err := events.ByID(ctx, tx, evID)
			if err != nil {
				return nil, err
			}
			parsed, err := ev.Parse()
			if err != nil {
				return nil, err
			}
			out = append(out, parsed)
		}
		return out, nil
	}
	if p.Type == event.StateCreate.Type {
		authEvents = nil
	} else if authEvents == nil {
		authEvents = []*pdu.PDU{} // precomputed, even when empty
	}
	err := eventauth.Authorize(r.version, p, authEvents, getEvents, nil)
	var fail eventauth.AuthFailError
	if errors.As(err, &fail) {
		return mxerr.Wrap(err, mxerr.Forbidden, forbiddenMessage(fail))
	}
	if err != nil {
		return fmt.Errorf("authorise %s event: %w", p.Type, err)
	}
	return nil
}

// forbiddenMessage says in the client's terms which auth rule refused.
func forbiddenMessage(f eventauth.AuthFailError) string {
	if f.Message != "" {
		return f.Message
	}
	return "the event is not allowed by the room's auth rules"
}

func membershipOf(content []byte) string {
	return gjsonString(content, "membership")
}
