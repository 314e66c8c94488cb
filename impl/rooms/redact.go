package rooms

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms/events"
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
	send := SendParams{Room: p.Room, Sender: p.Sender, Device: p.Device, TxnID: p.TxnID}
	if p.TxnID != "" {
		if evID, ok, err := s.sentBefore(ctx, s.pool, send); err != nil || ok {
			return evID, err
		}
	}
	var evID id.EventID
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		r, err := s.lockRoomTx(ctx, tx, p.Room, errUnknownRoom)
		if err != nil {
			return err
		}
		if p.TxnID != "" {
			var ok bool
			if evID, ok, err = s.sentBefore(ctx, tx, send); err != nil || ok {
				return err
			}
		}
		target, err := events.ByID(ctx, tx, p.Target)
		if err != nil || target.RoomID != r.id {
			return mxerr.New(mxerr.NotFound, "event %s not found in this room", p.Target)
		}
		if err := s.mayRedact(ctx, tx, r, p.Sender, target); err != nil {
			return err
		}
		ne := newEvent{Type: event.EventRedaction.Type, Sender: p.Sender, Content: redactionContent(r.version, p)}
		if !r.version.RedactsInContent() {
			ne.Redacts = &p.Target
		}
		ev, err := s.appendTx(ctx, tx, r, ne)
		if err != nil {
			return err
		}
		evID = ev.ID
		if target.RedactedBy == "" {
			if err := events.RedactTx(ctx, tx, r.held, target, ev.ID); err != nil {
				return err
			}
		}
		return s.recordTxnTx(ctx, tx, p.Sender, p.Device, p.TxnID, ev.ID)
	})
	return evID, err
}

// mayRedact allows the event's own sender, and members whose power reaches
// the room's redact level.
func (s *Service) mayRedact(ctx context.Context, tx pgx.Tx, r *room, sender id.UserID, target *events.Event) error {
	if target.Sender == sender {
		return nil
	}
	pl, err := s.powerLevels(ctx, tx, r.held.RoomNID(), r.id, r.version)
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
