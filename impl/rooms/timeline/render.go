package timeline

import (
	"context"
	"encoding/json"
	"fmt"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/stream"
)

// Viewer is who reads events: some parts of an event's client form are
// theirs only (the transaction ID of their own device's sends).
type Viewer struct {
	User   id.UserID
	Device id.DeviceID
}

// RenderOptions adjust the client form of a batch of events.
type RenderOptions struct {
	// OmitRoomID leaves room_id out (sync's room sections).
	OmitRoomID bool
	// Until is the last stream position whose relations may be bundled:
	// the reader's leave, for a reader who left. Zero bounds nothing.
	Until stream.Pos
	// StateOnly renders state a client reads as room state, not as
	// timeline (sliding sync's required_state): without prev_content,
	// transaction IDs or bundled aggregations, and so without their reads.
	StateOnly bool
}

// Render returns evs in their client form, in order, with unsigned data
// filled in for the viewer: prev_content of replaced state, the redaction
// that redacted an event, transaction IDs of the viewer's own sends, and
// the bundled aggregations of relations (m.relations: the latest edit, the
// thread summary, references), read for the whole batch at once. Its
// reads are few and concurrent: one for transaction IDs and which events
// have relations, with previous state and redactions when the batch needs
// them; then one per kind of relation found.
func (r *Reader) Render(ctx context.Context, evs []*events.Event, v Viewer, o RenderOptions) ([]json.RawMessage, error) {
	if len(evs) == 0 {
		return []json.RawMessage{}, nil
	}
	until := o.Until
	if until == 0 {
		until = noBound
	}
	var replaced []events.NID
	var redactions, own []string
	for _, e := range evs {
		if e.Replaces != 0 && !o.StateOnly {
			replaced = append(replaced, e.Replaces)
		}
		if e.RedactedBy != "" {
			redactions = append(redactions, string(e.RedactedBy))
		}
		if e.Sender == v.User && v.Device != "" && !o.StateOnly {
			own = append(own, string(e.ID))
		}
	}
	var candidates []string
	if !o.StateOnly {
		candidates = aggregationCandidates(evs)
	}
	var prev []*events.Event
	var because map[id.EventID]*events.Event
	txns := map[string]string{}
	var found []relation
	err := parallel(
		when(len(replaced) > 0, func() (err error) {
			prev, err = events.ByNIDs(ctx, r.pool, replaced)
			return err
		}),
		when(len(redactions) > 0, func() (err error) {
			because, err = r.byIDs(ctx, redactions)
			return err
		}),
		when(len(own) > 0 || len(candidates) > 0, func() error {
			rows, err := r.q.TimelineRenderLookups(ctx, r.pool, db.TimelineRenderLookupsParams{
				UserID: v.User, DeviceID: v.Device, OwnIds: nonNil(own), EventIds: nonNil(candidates), Until: int64(until),
			})
			if err != nil {
				return fmt.Errorf("read transaction IDs and relations: %w", err)
			}
			for _, row := range rows {
				if row.Kind == "txn" {
					txns[row.EventID] = row.Value
				} else {
					found = append(found, relation{target: id.EventID(row.EventID), relType: row.Value})
				}
			}
			return nil
		}),
	)
	if err != nil {
		return nil, err
	}
	prevByNID := make(map[events.NID]*events.Event, len(prev))
	for _, p := range prev {
		prevByNID[p.NID] = p
	}
	aggs, err := r.aggregations(ctx, evs, found, v.User, until)
	if err != nil {
		return nil, err
	}
	threadEdits, err := r.threadEdits(ctx, aggs, until)
	if err != nil {
		return nil, err
	}
	now := r.now()
	out := make([]json.RawMessage, len(evs))
	for i, e := range evs {
		co := events.ClientOptions{Now: now, OmitRoomID: o.OmitRoomID, TxnID: txns[string(e.ID)]}
		if p := prevByNID[e.Replaces]; p != nil {
			co.PrevContent, co.PrevSender = p.Content(), string(p.Sender)
		}
		if red := because[e.RedactedBy]; red != nil {
			co.RedactedBecause = red.AppendClient(nil, events.ClientOptions{Now: now, OmitRoomID: o.OmitRoomID})
		}
		if a := aggs[e.ID]; a != nil {
			co.Relations = appendRelations(nil, a, threadEdits, now, o.OmitRoomID)
		}
		// The client form is about the size of the PDU; unsigned adds some.
		out[i] = e.AppendClient(make([]byte, 0, len(e.PDU)+len(co.Relations)+len(co.RedactedBecause)+len(co.PrevContent)+128), co)
	}
	return out, nil
}

func (r *Reader) byIDs(ctx context.Context, ids []string) (map[id.EventID]*events.Event, error) {
	out := map[id.EventID]*events.Event{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := r.q.EventsByIDs(ctx, r.pool, ids)
	if err != nil {
		return nil, fmt.Errorf("load %d events: %w", len(ids), err)
	}
	for _, row := range rows {
		e := events.FromRow(row.Event, row.RoomID, row.RoomVersion)
		out[e.ID] = e
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
