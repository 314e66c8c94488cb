package rooms

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms/events"
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
	if p.TxnID != "" {
		if evID, ok, err := s.sentBefore(ctx, s.pool, p); err != nil || ok {
			return evID, err
		}
	}
	if p.StateKey != nil {
		if err := events.CheckContent("", p.Type, p.Content); err != nil {
			return "", err
		}
	}
	if p.Type == event.EventRedaction.Type {
		return s.Redact(ctx, RedactParams{Room: p.Room, Sender: p.Sender, Device: p.Device, TxnID: p.TxnID,
			Target: id.EventID(gjson.GetBytes(p.Content, "redacts").Str), Content: p.Content})
	}
	ne := newEvent{Type: p.Type, StateKey: p.StateKey, Sender: p.Sender, Content: p.Content}
	if err := s.intern(ctx, &ne); err != nil {
		return "", err
	}
	var evID id.EventID
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		r, err := s.lockRoomTx(ctx, tx, p.Room, errUnknownRoom)
		if err != nil {
			return err
		}
		if p.TxnID != "" {
			// A retry that raced the first send finds its event now.
			var ok bool
			if evID, ok, err = s.sentBefore(ctx, tx, p); err != nil || ok {
				return err
			}
		}
		if err := s.checkSend(ctx, tx, r, p); err != nil {
			return err
		}
		ev, err := s.appendTx(ctx, tx, r, ne)
		if err != nil {
			return err
		}
		evID = ev.ID
		return s.recordTxnTx(ctx, tx, p.Sender, p.Device, p.TxnID, ev.ID)
	})
	return evID, err
}

func (s *Service) sentBefore(ctx context.Context, q db.DBTX, p SendParams) (id.EventID, bool, error) {
	evID, err := s.q.EventTxnGet(ctx, q, db.EventTxnGetParams{UserID: p.Sender, DeviceID: p.Device, TxnID: p.TxnID})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("look up transaction %s: %w", p.TxnID, err)
	}
	return id.EventID(evID), true, nil
}

func (s *Service) recordTxnTx(ctx context.Context, tx pgx.Tx, user id.UserID, device id.DeviceID, txnID string, evID id.EventID) error {
	if txnID == "" {
		return nil
	}
	err := s.q.EventTxnInsert(ctx, tx, db.EventTxnInsertParams{UserID: user, DeviceID: device, TxnID: txnID, EventID: string(evID)})
	if err != nil {
		return fmt.Errorf("record transaction %s: %w", txnID, err)
	}
	return nil
}

// checkSend applies the rules clients are held to beyond the auth rules.
func (s *Service) checkSend(ctx context.Context, tx pgx.Tx, r *room, p SendParams) error {
	switch p.Type {
	case event.StateCanonicalAlias.Type:
		return s.checkCanonicalAlias(ctx, tx, r, p.Content)
	case event.EventReaction.Type:
		rel := gjson.GetBytes(p.Content, `m\.relates_to`)
		if rel.Get("rel_type").Str != "m.annotation" {
			return nil
		}
		dup, err := s.q.AnnotationExists(ctx, tx, db.AnnotationExistsParams{
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
func (s *Service) checkCanonicalAlias(ctx context.Context, tx pgx.Tx, r *room, content []byte) error {
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
		row, err := s.q.AliasGet(ctx, tx, raw)
		if pg.IsNoRows(err) || (err == nil && row.RoomID != string(r.id)) {
			return mxerr.New(mxerr.BadAlias, "alias %s does not point at this room", raw)
		}
		if err != nil {
			return fmt.Errorf("check alias %s: %w", raw, err)
		}
	}
	return nil
}
