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
}

// Render returns evs in their client form, in order, with unsigned data
// filled in for the viewer: prev_content of replaced state, the redaction
// that redacted an event, transaction IDs of the viewer's own sends, and
// the bundled aggregations of relations (m.relations: the latest edit, the
// thread summary, references), read for the whole batch at once.
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
		if e.Replaces != 0 {
			replaced = append(replaced, e.Replaces)
		}
		if e.RedactedBy != "" {
			redactions = append(redactions, string(e.RedactedBy))
		}
		if e.Sender == v.User && v.Device != "" {
			own = append(own, string(e.ID))
		}
	}
	prev, err := events.ByNIDs(ctx, r.pool, replaced)
	if err != nil {
		return nil, err
	}
	prevByNID := make(map[events.NID]*events.Event, len(prev))
	for _, p := range prev {
		prevByNID[p.NID] = p
	}
	because, err := r.byIDs(ctx, redactions)
	if err != nil {
		return nil, err
	}
	txns := map[string]string{}
	if len(own) > 0 {
		rows, err := r.q.EventTxnsForEvents(ctx, r.pool, db.EventTxnsForEventsParams{UserID: v.User, DeviceID: v.Device, EventIds: own})
		if err != nil {
			return nil, fmt.Errorf("read transaction IDs: %w", err)
		}
		for _, row := range rows {
			txns[row.EventID] = row.TxnID
		}
	}
	aggs, err := r.aggregations(ctx, evs, v.User, until)
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
		out[i] = e.AppendClient(nil, co)
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
