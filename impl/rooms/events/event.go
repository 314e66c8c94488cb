package events

import (
	"encoding/json/v2"
	"fmt"

	"maunium.net/go/mautrix/federation/pdu"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/stream"
)

// NID is an event's numeric ID in this database.
type NID int64

// Event is a stored event.
type Event struct {
	NID      NID
	ID       id.EventID
	RoomNID  int64
	RoomID   id.RoomID
	Version  id.RoomVersion
	Pos      stream.Pos // zero for outliers
	Depth    int64
	Type     string
	StateKey *string
	Sender   id.UserID
	OriginTS int64
	// PDU is the event as signed, redacted in place once a redaction
	// applies.
	PDU []byte
	// StateBefore and StateAfter are the snapshots around the event.
	StateBefore, StateAfter int64
	// Replaces is the state event this one replaced, zero if none.
	Replaces   NID
	RelatesTo  id.EventID
	RelType    string
	RedactedBy id.EventID
}

// IsState tells whether the event is a state event.
func (e *Event) IsState() bool { return e.StateKey != nil }

// Parse decodes the event's PDU.
func (e *Event) Parse() (*pdu.PDU, error) {
	var p pdu.PDU
	if err := json.Unmarshal(e.PDU, &p); err != nil {
		return nil, fmt.Errorf("decode event %s: %w", e.ID, err)
	}
	return &p, nil
}

// FromRow converts a stored row. roomID and version come from the room.
func FromRow(r db.Event, roomID string, version string) *Event {
	e := &Event{
		NID:      NID(r.EventNid),
		ID:       id.EventID(r.EventID),
		RoomNID:  r.RoomNid,
		RoomID:   id.RoomID(roomID),
		Version:  id.RoomVersion(version),
		Depth:    r.Depth,
		Type:     r.Type,
		StateKey: r.StateKey,
		Sender:   id.UserID(r.Sender),
		OriginTS: r.OriginTs,
		PDU:      r.Pdu,
	}
	if r.StreamPos != nil {
		e.Pos = stream.Pos(*r.StreamPos)
	}
	if r.StateBefore != nil {
		e.StateBefore = *r.StateBefore
	}
	if r.StateAfter != nil {
		e.StateAfter = *r.StateAfter
	}
	if r.ReplacesNid != nil {
		e.Replaces = NID(*r.ReplacesNid)
	}
	if r.RelatesTo != nil {
		e.RelatesTo = id.EventID(*r.RelatesTo)
	}
	if r.RelType != nil {
		e.RelType = *r.RelType
	}
	if r.RedactedBy != nil {
		e.RedactedBy = id.EventID(*r.RedactedBy)
	}
	return e
}
