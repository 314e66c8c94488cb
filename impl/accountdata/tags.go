package accountdata

import (
	"context"
	"fmt"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/stream"
)

// tagType is the room account data type tags live in, so that they sync.
const tagType = "m.tag"

// maxTagLength bounds a tag's name, as Synapse does for other user strings.
const maxTagLength = 255

// Tags returns the body of GET .../tags: {"tags": {...}} from the room's
// m.tag account data, or no tags.
func (s *Service) Tags(ctx context.Context, user id.UserID, room id.RoomID) ([]byte, error) {
	content, err := s.q.AccountDataGet(ctx, s.pool, db.AccountDataGetParams{UserID: user, RoomID: string(room), Type: tagType})
	if pg.IsNoRows(err) {
		return []byte(`{"tags":{}}`), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read tags of %s: %w", user, err)
	}
	tags := gjson.GetBytes(content, "tags")
	if !tags.IsObject() {
		return []byte(`{"tags":{}}`), nil
	}
	return append(append([]byte(`{"tags":`), tags.Raw...), '}'), nil
}

// SetTag adds or replaces a tag on a room; content is the tag's object,
// whose order, when given, is a number from 0 to 1. Other tags stay.
func (s *Service) SetTag(ctx context.Context, user id.UserID, room id.RoomID, tag string, content []byte) error {
	if err := checkTag(tag); err != nil {
		return err
	}
	if !gjson.ValidBytes(content) || !gjson.ParseBytes(content).IsObject() {
		return mxerr.New(mxerr.BadJSON, "a tag is a JSON object")
	}
	if order := gjson.GetBytes(content, "order"); order.Exists() {
		if order.Type != gjson.Number {
			return mxerr.New(mxerr.BadJSON, "order must be a number")
		}
		if order.Num < 0 || order.Num > 1 {
			return mxerr.New(mxerr.InvalidParam, "order must be between 0 and 1")
		}
	}
	return pg.InPipelineTx(ctx, s.pool, func(q *pg.Pipeline) error {
		if err := stream.AdvanceTx(ctx, q); err != nil {
			return err
		}
		err := s.q.AccountDataTagSet(ctx, q, db.AccountDataTagSetParams{UserID: user, RoomID: string(room), Tag: tag, TagContent: content})
		if err != nil {
			return fmt.Errorf("set tag of %s: %w", user, err)
		}
		return stream.NotifyCurrentTx(ctx, q, "", []id.UserID{user})
	})
}

// DeleteTag removes a tag from a room; removing a tag that is not there
// succeeds and changes nothing.
func (s *Service) DeleteTag(ctx context.Context, user id.UserID, room id.RoomID, tag string) error {
	if err := checkTag(tag); err != nil {
		return err
	}
	return pg.InPipelineTx(ctx, s.pool, func(q *pg.Pipeline) error {
		if err := stream.AdvanceTx(ctx, q); err != nil {
			return err
		}
		_, err := s.q.AccountDataTagDelete(ctx, q, db.AccountDataTagDeleteParams{UserID: user, RoomID: string(room), Tag: tag})
		if pg.IsNoRows(err) {
			return nil // no such tag: the position taken goes unused
		}
		if err != nil {
			return fmt.Errorf("delete tag of %s: %w", user, err)
		}
		return stream.NotifyCurrentTx(ctx, q, "", []id.UserID{user})
	})
}

func checkTag(tag string) error {
	switch {
	case tag == "":
		return mxerr.New(mxerr.InvalidParam, "empty tag")
	case len(tag) > maxTagLength:
		return mxerr.New(mxerr.InvalidParam, "tag longer than %d bytes", maxTagLength)
	}
	return nil
}
