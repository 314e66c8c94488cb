package events

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/rooms/lock"
)

var queries = db.New()

// ErrNotFound is answered for events this server does not have.
var ErrNotFound = mxerr.New(mxerr.NotFound, "event not found")

// Stored is what the write path knows of a new event beyond its bytes.
type Stored struct {
	RoomNID                 int64
	Depth                   int64
	StateBefore, StateAfter int64
	PrevEvents              []NID
	Replaces                NID
}

// InsertTx stores a new event of the locked room under nid, at the stream
// position the transaction took last (stream.AdvanceTx).
func InsertTx(ctx context.Context, q db.DBTX, _ lock.Held, nid NID, b *Built, s Stored) error {
	p := b.PDU
	rel := gjson.GetBytes(b.Bytes, `content.m\.relates_to`)
	var relatesTo, relType *string
	if target := rel.Get("event_id"); target.Type == gjson.String {
		relatesTo = &target.Str
		t := rel.Get("rel_type").Str
		relType = &t
	}
	var replaces *int64
	if s.Replaces != 0 {
		r := int64(s.Replaces)
		replaces = &r
	}
	prev := make([]int64, len(s.PrevEvents))
	for i, n := range s.PrevEvents {
		prev[i] = int64(n)
	}
	err := queries.EventInsert(ctx, q, db.EventInsertParams{
		EventNid:      int64(nid),
		EventID:       string(b.ID),
		RoomNid:       s.RoomNID,
		Depth:         s.Depth,
		Type:          p.Type,
		StateKey:      p.StateKey,
		Sender:        string(p.Sender),
		OriginTs:      p.OriginServerTS,
		Pdu:           b.Bytes,
		StateBefore:   &s.StateBefore,
		StateAfter:    &s.StateAfter,
		PrevEventNids: prev,
		ReplacesNid:   replaces,
		RelatesTo:     relatesTo,
		RelType:       relType,
	})
	if err != nil {
		return fmt.Errorf("insert event %s: %w", b.ID, err)
	}
	return nil
}

// ByID loads an event, or answers ErrNotFound.
func ByID(ctx context.Context, q db.DBTX, evID id.EventID) (*Event, error) {
	r, err := queries.EventByID(ctx, q, string(evID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load event %s: %w", evID, err)
	}
	return FromRow(r.Event, r.RoomID, r.RoomVersion), nil
}

// ByNIDs loads events in the order of nids; unknown NIDs are skipped.
func ByNIDs(ctx context.Context, q db.DBTX, nids []NID) ([]*Event, error) {
	if len(nids) == 0 {
		return nil, nil
	}
	raw := make([]int64, len(nids))
	for i, n := range nids {
		raw[i] = int64(n)
	}
	rows, err := queries.EventsByNIDs(ctx, q, raw)
	if err != nil {
		return nil, fmt.Errorf("load %d events: %w", len(nids), err)
	}
	byNID := make(map[NID]*Event, len(rows))
	for _, r := range rows {
		byNID[NID(r.Event.EventNid)] = FromRow(r.Event, r.RoomID, r.RoomVersion)
	}
	out := make([]*Event, 0, len(nids))
	for _, n := range nids {
		if e := byNID[n]; e != nil {
			out = append(out, e)
		}
	}
	return out, nil
}

// RedactTx replaces target's stored bytes by its redacted form, as the
// room version's redaction algorithm says, and records the redaction.
// Hashes and signatures survive, so the redacted event still verifies.
func RedactTx(ctx context.Context, q db.DBTX, _ lock.Held, target *Event, by id.EventID) error {
	p, err := target.Parse()
	if err != nil {
		return err
	}
	redacted, err := marshalPDU(p.Redact(target.Version))
	if err != nil {
		return fmt.Errorf("encode redacted %s: %w", target.ID, err)
	}
	b := string(by)
	if err := queries.EventRedact(ctx, q, db.EventRedactParams{EventNid: int64(target.NID), Pdu: redacted, RedactedBy: &b}); err != nil {
		return fmt.Errorf("redact %s: %w", target.ID, err)
	}
	return nil
}
