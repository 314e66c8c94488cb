package events

import (
	"encoding/json/jsontext"
	"fmt"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/crypto/canonicaljson"
	"maunium.net/go/mautrix/federation"
	"maunium.net/go/mautrix/federation/pdu"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// MaxPDUSize is the spec's limit on an event, in bytes of canonical JSON.
const MaxPDUSize = 65536

// Proto is what a new local event is made of, before hashing and signing.
type Proto struct {
	// RoomID is empty for the create event of rooms whose ID is derived
	// from it (room version 12 and later).
	RoomID     id.RoomID
	Type       string
	StateKey   *string
	Sender     id.UserID
	Content    []byte // a JSON object
	Redacts    *id.EventID
	PrevEvents []id.EventID
	AuthEvents []id.EventID
	Depth      int64
	TS         int64
}

// Signer builds this server's events.
type Signer struct {
	ServerName string
	Key        *federation.SigningKey
}

// Built is a new event, signed, with its ID and canonical bytes.
type Built struct {
	PDU   *pdu.PDU
	ID    id.EventID
	Bytes []byte
}

// Build hashes and signs p as an event of room version rv. Content that is
// not canonical JSON (floats, integers out of range, duplicate keys) is
// M_BAD_JSON; an event over MaxPDUSize is M_TOO_LARGE.
func (s Signer) Build(rv id.RoomVersion, p Proto) (*Built, error) {
	content := jsontext.Value(append([]byte(nil), p.Content...))
	if err := canonicaljson.Canonicalize(&content); err != nil {
		return nil, mxerr.New(mxerr.BadJSON, "content is not valid canonical JSON: %v", err)
	}
	if !gjson.ParseBytes(content).IsObject() {
		return nil, mxerr.New(mxerr.BadJSON, "content must be a JSON object")
	}
	ev := &pdu.PDU{
		RoomID:         p.RoomID,
		Type:           p.Type,
		StateKey:       p.StateKey,
		Sender:         p.Sender,
		Content:        content,
		Redacts:        p.Redacts,
		PrevEvents:     nonNil(p.PrevEvents),
		AuthEvents:     nonNil(p.AuthEvents),
		Depth:          p.Depth,
		OriginServerTS: p.TS,
	}
	if err := ev.Sign(rv, s.ServerName, s.Key.ID, s.Key.Priv); err != nil {
		return nil, fmt.Errorf("sign %s event: %w", p.Type, err)
	}
	evID, err := ev.GetEventID(rv)
	if err != nil {
		return nil, fmt.Errorf("event ID of %s event: %w", p.Type, err)
	}
	b, err := canonicaljson.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode %s event: %w", p.Type, err)
	}
	if len(b) > MaxPDUSize {
		return nil, mxerr.New(mxerr.TooLarge, "event is %d bytes, over the limit of %d", len(b), MaxPDUSize)
	}
	return &Built{PDU: ev, ID: evID, Bytes: b}, nil
}

func nonNil(ids []id.EventID) []id.EventID {
	if ids == nil {
		return []id.EventID{}
	}
	return ids
}
