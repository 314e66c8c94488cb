package rooms

import (
	"context"
	"encoding/json"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/lock"
)

// RedactParams is a redaction request.
type RedactParams struct {
	Room   id.RoomID
	Sender id.UserID
	Device id.DeviceID
	TxnID  string
	Target id.EventID
	Reason string
	// Content, when set, is the redaction's content as the client sent it
	// (PUT /send/m.room.redaction); Reason is then ignored.
	Content []byte
}

// Redact sends a redaction of an event of the room and applies it: the
// event's stored form is redacted for everyone who reads it. Only the
// event's sender, or a member with the room's redact power, may redact.
func (s *Service) Redact(ctx context.Context, p RedactParams) (id.EventID, error) {
	var evID id.EventID
	err := s.write(ctx, p.Room, func(q *pg.Pipeline, held lock.Held) error {
		r, err := s.roomNID(ctx, q, p.Room, errUnknownRoom)
		if err != nil {
			return err
		}
		version := id.RoomVersion(r.RoomVersion)
		target, err := events.ByID(ctx, q, p.Target)
		if err != nil || target.RoomID != p.Room {
			return mxerr.New(mxerr.NotFound, "event %s not found in this room", p.Target)
		}
		if err := s.mayRedact(ctx, q, r, p.Sender, target); err != nil {
			return err
		}
		ne := newEvent{Type: event.EventRedaction.Type, Sender: p.Sender, Content: redactionContent(version, p),
			Device: p.Device, TxnID: p.TxnID}
		if !version.RedactsInContent() {
			ne.Redacts = &p.Target
		}
		ev, err := s.appendTx(ctx, q, held, ne)
		if err != nil {
			return err
		}
		evID = ev.ID
		if ev.Repeated || target.RedactedBy != "" {
			return nil
		}
		return events.RedactTx(ctx, q, held, target, ev.ID)
	})
	return evID, err
}

// mayRedact allows the event's own sender, and members whose power reaches
// the room's redact level.
func (s *Service) mayRedact(ctx context.Context, q db.DBTX, r db.Room, sender id.UserID, target *events.Event) error {
	if target.Sender == sender {
		return nil
	}
	pl, err := s.powerLevels(ctx, q, r.RoomNid, id.RoomID(r.RoomID), id.RoomVersion(r.RoomVersion))
	if err != nil {
		return err
	}
	if pl.GetUserLevel(sender) < pl.Redact() {
		return mxerr.New(mxerr.Forbidden, "you may only redact your own events")
	}
	return nil
}

func redactionContent(rv id.RoomVersion, p RedactParams) []byte {
	c := map[string]any{}
	if len(p.Content) > 0 {
		_ = json.Unmarshal(p.Content, &c)
	} else if p.Reason != "" {
		c["reason"] = p.Reason
	}
	if rv.RedactsInContent() {
		c["redacts"] = string(p.Target)
	} else {
		delete(c, "redacts")
	}
	b, _ := json.Marshal(c)
	return b
}
