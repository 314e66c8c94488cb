package rooms

import (
	"context"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/lock"
)

// SendParams is a message or state event a user sends.
type SendParams struct {
	Room   id.RoomID
	Sender id.UserID
	// Device and TxnID make a message send idempotent: the same device and
	// transaction ID give the event sent the first time.
	Device id.DeviceID
	TxnID  string
	Type   string
	// StateKey is set for state events.
	StateKey *string
	Content  []byte
}

// Send appends a user's event to a room, checked against the auth rules.
func (s *Service) Send(ctx context.Context, p SendParams) (id.EventID, error) {
	if p.StateKey != nil {
		if err := events.CheckContent("", p.Type, p.Content); err != nil {
			return "", err
		}
	}
	if p.Type == event.EventRedaction.Type {
		return s.Redact(ctx, RedactParams{Room: p.Room, Sender: p.Sender, Device: p.Device, TxnID: p.TxnID,
			Target: id.EventID(gjson.GetBytes(p.Content, "redacts").Str), Content: p.Content})
	}
	ne := newEvent{Type: p.Type, StateKey: p.StateKey, Sender: p.Sender, Content: p.Content, Device: p.Device, TxnID: p.TxnID}
	if err := s.intern(ctx, &ne); err != nil {
		return "", err
	}
	var evID id.EventID
	err := s.write(ctx, p.Room, func(q *pg.Pipeline, held lock.Held) error {
		if err := s.checkSend(ctx, q, held, p); err != nil {
			return err
		}
		ev, err := s.appendTx(ctx, q, held, ne)
		if err != nil {
			return err
		}
		evID = ev.ID
		return nil
	})
	return evID, err
}

// checkSend applies the rules clients are held to beyond the auth rules.
func (s *Service) checkSend(ctx context.Context, q db.DBTX, held lock.Held, p SendParams) error {
	switch p.Type {
	case event.StateCanonicalAlias.Type:
		return s.checkCanonicalAlias(ctx, q, held.Room(), p.Content)
	case event.EventReaction.Type:
		rel := gjson.GetBytes(p.Content, `m\.relates_to`)
		if rel.Get("rel_type").Str != "m.annotation" {
			return nil
		}
		dup, err := s.q.AnnotationExists(ctx, q, db.AnnotationExistsParams{
			Target: rel.Get("event_id").Str, Sender: string(p.Sender), Type: p.Type, Key: rel.Get("key").Str,
		})
		if err != nil {
			return fmt.Errorf("check annotation: %w", err)
		}
		if dup {
			return mxerr.New(mxerr.DuplicateAnnotation, "you already reacted with this key")
		}
	}
	return nil
}

// checkCanonicalAlias refuses aliases that do not point at the room; only
// local aliases can be checked, remote ones are taken as they are.
func (s *Service) checkCanonicalAlias(ctx context.Context, q db.DBTX, room id.RoomID, content []byte) error {
	c := gjson.ParseBytes(content)
	aliases := []string{}
	if a := c.Get("alias"); a.Exists() {
		if a.Type != gjson.String {
			return mxerr.New(mxerr.BadJSON, "alias must be a string")
		}
		aliases = append(aliases, a.Str)
	}
	if alt := c.Get("alt_aliases"); alt.Exists() {
		if !alt.IsArray() {
			return mxerr.New(mxerr.BadJSON, "alt_aliases must be an array")
		}
		for _, a := range alt.Array() {
			aliases = append(aliases, a.Str)
		}
	}
	for _, raw := range aliases {
		if _, server, _ := strings.Cut(raw, ":"); server != s.serverName {
			continue
		}
		row, err := s.q.AliasGet(ctx, q, raw)
		if pg.IsNoRows(err) || (err == nil && row.RoomID != string(room)) {
			return mxerr.New(mxerr.BadAlias, "alias %s does not point at this room", raw)
		}
		if err != nil {
			return fmt.Errorf("check alias %s: %w", raw, err)
		}
	}
	return nil
}
