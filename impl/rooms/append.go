package rooms

import (
	"context"
	"errors"
	"fmt"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/federation/eventauth"
	"maunium.net/go/mautrix/federation/pdu"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/lock"
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
	// Device and TxnID, when set, make the append idempotent: an event
	// already sent with them is returned instead (Appended.Repeated).
	Device id.DeviceID
	TxnID  string
}

// Appended is an event appendTx stored, or found already sent.
type Appended struct {
	ID      id.EventID
	NID     events.NID
	Version id.RoomVersion
	// Repeated says the event was sent before with the same transaction.
	Repeated bool
}

// appendTx is the one write path of local events: it builds ne on top of
// the room's latest events, checks it against the auth rules with the
// room's current state, and stores it, its state delta, the new current
// state and memberships, taking the event's stream position and announcing
// it on commit. An unknown room is errUnknownRoom.
//
// The room's reads go in one statement sent with the lock (see
// pg.Pipeline), the writes in one batch at the end.
func (s *Service) appendTx(ctx context.Context, q *pg.Pipeline, held lock.Held, ne newEvent) (*Appended, error) {
	if ne.TS == 0 {
		ne.TS = s.now().UnixMilli()
	}
	proto := &pdu.PDU{Type: ne.Type, StateKey: ne.StateKey, Sender: ne.Sender, Content: ne.Content}
	// The create event is always fetched: rooms whose ID is the create
	// event's need it to authorise, though it is not an auth event there.
	sel := append(pdu.AuthEventSelection{{Type: event.StateCreate.Type}}, proto.AuthEventSelection(id.RoomV11)...)
	keyNIDs := make([]int64, 0, len(sel))
	for _, k := range sel {
		n, ok, err := s.state.LookupKeyNID(ctx, q, state.Key{Type: k.Type, StateKey: k.StateKey})
		if err != nil {
			return nil, err
		}
		if ok {
			keyNIDs = append(keyNIDs, int64(n))
		}
	}
	rc, err := s.q.AppendContext(ctx, q, db.AppendContextParams{
		RoomID: string(held.Room()), IsState: ne.StateKey != nil, OwnKeyNid: int64(ne.KeyNID),
		TxnUser: string(ne.Sender), TxnDevice: string(ne.Device), TxnID: ne.TxnID, AuthKeyNids: keyNIDs,
	})
	if pg.IsNoRows(err) {
		return nil, errUnknownRoom
	}
	if err != nil {
		return nil, fmt.Errorf("read room %s: %w", held.Room(), err)
	}
	version := id.RoomVersion(rc.RoomVersion)
	if rc.TxnEventID != "" && ne.TxnID != "" {
		return &Appended{ID: id.EventID(rc.TxnEventID), Version: version, Repeated: true}, nil
	}
	authEvents, authIDs, create, err := s.authEvents(held.Room(), version, proto.AuthEventSelection(version), rc)
	if err != nil {
		return nil, err
	}
	roomID := held.Room()
	if ne.Type == event.StateCreate.Type && version.RoomIDIsCreateEventID() {
		roomID = "" // the create event defines the room ID
	}
	prevIDs := make([]id.EventID, len(rc.PrevEventIds))
	for i, p := range rc.PrevEventIds {
		prevIDs[i] = id.EventID(p)
	}
	depth := rc.MaxDepth + 1
	built, err := s.signer.Build(version, events.Proto{
		RoomID: roomID, Type: ne.Type, StateKey: ne.StateKey, Sender: ne.Sender, Content: ne.Content,
		Redacts: ne.Redacts, PrevEvents: prevIDs, AuthEvents: authIDs, Depth: depth, TS: ne.TS,
	})
	if err != nil {
		return nil, err
	}
	if err := authorize(version, built.PDU, authEvents, create, s.localKey); err != nil {
		return nil, err
	}

	nid := events.NID(rc.NextEventNid)
	before := state.SnapshotNID(0)
	if rc.CurrentSnapshotNid != nil {
		before = state.SnapshotNID(*rc.CurrentSnapshotNid)
	}
	after := before
	stored := events.Stored{RoomNID: rc.RoomNid, Depth: depth, Replaces: events.NID(rc.ReplacesNid)}
	for _, n := range rc.LatestEventNids {
		stored.PrevEvents = append(stored.PrevEvents, events.NID(n))
	}
	if ne.StateKey != nil {
		if ne.KeyNID == 0 {
			return nil, fmt.Errorf("append %s: state key %q was not interned", ne.Type, *ne.StateKey)
		}
		after = state.SnapshotNID(rc.NextSnapshotNid)
		if err := s.state.AddTx(ctx, q, held, rc.RoomNid, after, before, rc.ChainLen, state.Entries{ne.KeyNID: nid}); err != nil {
			return nil, err
		}
	}
	stored.StateBefore, stored.StateAfter = int64(before), int64(after)

	// Every lock this transaction waits for is held by now: take the
	// stream position (and with it the barrier) last.
	if err := stream.AdvanceTx(ctx, q); err != nil {
		return nil, err
	}
	if err := events.InsertTx(ctx, q, held, nid, built, stored); err != nil {
		return nil, err
	}
	var notify []id.UserID
	if ne.StateKey != nil {
		if err := s.q.CurrentStateSet(ctx, q, db.CurrentStateSetParams{RoomNid: rc.RoomNid, KeyNid: int64(ne.KeyNID), EventNid: int64(nid)}); err != nil {
			return nil, fmt.Errorf("update current state: %w", err)
		}
		if ne.Type == event.StateMember.Type {
			target := id.UserID(*ne.StateKey)
			if err := s.q.MembershipSet(ctx, q, db.MembershipSetParams{
				RoomNid: rc.RoomNid, UserID: target, Membership: membershipOf(ne.Content),
				EventNid: int64(nid), IsLocal: s.IsLocal(target),
			}); err != nil {
				return nil, fmt.Errorf("update membership: %w", err)
			}
			// An invitee, knocker or leaver is not necessarily a member who
			// would hear of the room otherwise.
			notify = []id.UserID{target}
		}
	}
	if err := s.q.RoomAdvance(ctx, q, db.RoomAdvanceParams{
		RoomNid: rc.RoomNid, Latest: []int64{int64(nid)}, Depth: depth, Snapshot: int64(after),
		Bump: bumpsRoom(ne.Type),
	}); err != nil {
		return nil, fmt.Errorf("advance room: %w", err)
	}
	if err := stream.NotifyCurrentTx(ctx, q, held.Room(), notify); err != nil {
		return nil, err
	}
	if ne.TxnID != "" {
		if err := s.q.EventTxnInsert(ctx, q, db.EventTxnInsertParams{UserID: ne.Sender, DeviceID: ne.Device, TxnID: ne.TxnID, EventID: string(built.ID)}); err != nil {
			return nil, fmt.Errorf("record transaction %s: %w", ne.TxnID, err)
		}
	}
	return &Appended{ID: built.ID, NID: nid, Version: version}, nil
}

// authEvents parses the auth state AppendContext read, returning the
// events the selection wants (as auth_events) and the create event.
func (s *Service) authEvents(room id.RoomID, version id.RoomVersion, sel pdu.AuthEventSelection, rc db.AppendContextRow) ([]*pdu.PDU, []id.EventID, *pdu.PDU, error) {
	authEvents := make([]*pdu.PDU, 0, len(rc.AuthPdus))
	ids := make([]id.EventID, 0, len(rc.AuthPdus))
	var create *pdu.PDU
	for i, raw := range rc.AuthPdus {
		p, err := (&events.Event{ID: id.EventID(rc.AuthEventIds[i]), PDU: raw}).Parse()
		if err != nil {
			return nil, nil, nil, err
		}
		// A room version 12 create event has no room_id, and must keep
		// none: its ID (which join authorisation compares with the first
		// join's prev_events) is the hash of exactly these fields.
		if p.Type == event.StateCreate.Type {
			create = p
		}
		if p.StateKey != nil && sel.Has(pdu.StateKey{Type: p.Type, StateKey: *p.StateKey}) {
			authEvents = append(authEvents, p)
			ids = append(ids, id.EventID(rc.AuthEventIds[i]))
		}
	}
	return authEvents, ids, create, nil
}

// authorize checks p against the auth rules with the given auth events
// (and, for rooms whose ID is the create event's, that create event). A rule
// that fails is M_FORBIDDEN, saying which. getKey verifies the signatures
// the rules check (a restricted join's authorising server).
func authorize(version id.RoomVersion, p *pdu.PDU, authEvents []*pdu.PDU, create *pdu.PDU, getKey pdu.GetKeyFunc) error {
	getEvents := func(ids []id.EventID) ([]*pdu.PDU, error) {
		if create == nil {
			return nil, nil
		}
		return []*pdu.PDU{create}, nil
	}
	if p.Type == event.StateCreate.Type {
		authEvents = nil
	}
	err := eventauth.Authorize(version, p, authEvents, getEvents, getKey)
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
