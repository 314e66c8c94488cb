package events

import (
	"strconv"
	"time"

	"github.com/tidwall/gjson"
)

// ClientOptions are the parts of an event's client form that depend on who
// asks and when.
type ClientOptions struct {
	Now time.Time
	// TxnID is the transaction ID the event was sent with, given only to
	// the device that sent it.
	TxnID string
	// PrevContent and PrevSender describe the state event this one
	// replaced.
	PrevContent []byte
	PrevSender  string
	// RedactedBecause is the client form of the redaction that applied.
	RedactedBecause []byte
	// Relations is the bundled m.relations object, if any.
	Relations []byte
	// OmitRoomID leaves room_id out, as /sync's room sections do.
	OmitRoomID bool
}

// AppendClient appends the event's client-server form (ClientEvent) to
// dst. Content is copied as stored, never re-encoded.
func (e *Event) AppendClient(dst []byte, o ClientOptions) []byte {
	pduJSON := gjson.ParseBytes(e.PDU)
	dst = append(dst, `{"content":`...)
	if c := pduJSON.Get("content"); c.Exists() {
		dst = append(dst, c.Raw...)
	} else {
		dst = append(dst, "{}"...)
	}
	dst = append(dst, `,"event_id":`...)
	dst = strconv.AppendQuote(dst, string(e.ID))
	dst = append(dst, `,"origin_server_ts":`...)
	dst = strconv.AppendInt(dst, e.OriginTS, 10)
	if !o.OmitRoomID {
		dst = append(dst, `,"room_id":`...)
		dst = strconv.AppendQuote(dst, string(e.RoomID))
	}
	if r := redactsOf(pduJSON); r != "" {
		dst = append(dst, `,"redacts":`...)
		dst = strconv.AppendQuote(dst, r)
	}
	dst = append(dst, `,"sender":`...)
	dst = strconv.AppendQuote(dst, string(e.Sender))
	if e.StateKey != nil {
		dst = append(dst, `,"state_key":`...)
		dst = strconv.AppendQuote(dst, *e.StateKey)
	}
	dst = append(dst, `,"type":`...)
	dst = strconv.AppendQuote(dst, e.Type)
	dst = append(dst, `,"unsigned":{"age":`...)
	age := max(o.Now.UnixMilli()-e.OriginTS, 0)
	dst = strconv.AppendInt(dst, age, 10)
	if len(o.Relations) > 0 {
		dst = append(dst, `,"m.relations":`...)
		dst = append(dst, o.Relations...)
	}
	if len(o.PrevContent) > 0 {
		dst = append(dst, `,"prev_content":`...)
		dst = append(dst, o.PrevContent...)
		if o.PrevSender != "" {
			dst = append(dst, `,"prev_sender":`...)
			dst = strconv.AppendQuote(dst, o.PrevSender)
		}
	}
	if len(o.RedactedBecause) > 0 {
		dst = append(dst, `,"redacted_because":`...)
		dst = append(dst, o.RedactedBecause...)
	}
	if o.TxnID != "" {
		dst = append(dst, `,"transaction_id":`...)
		dst = strconv.AppendQuote(dst, o.TxnID)
	}
	dst = append(dst, "}}"...)
	return dst
}

// redactsOf reads the event a redaction redacts: the top-level field before
// room version 11, the content field from then on; clients get it at the
// top level either way.
func redactsOf(p gjson.Result) string {
	if p.Get("type").Str != "m.room.redaction" {
		return ""
	}
	if r := p.Get("redacts"); r.Exists() {
		return r.Str
	}
	return p.Get("content.redacts").Str
}

// Content returns the event's content bytes.
func (e *Event) Content() []byte {
	c := gjson.GetBytes(e.PDU, "content")
	if !c.Exists() {
		return []byte("{}")
	}
	return []byte(c.Raw)
}
