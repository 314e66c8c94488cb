package filter

import (
	"encoding/json/jsontext"
	"encoding/json/v2"
	"errors"
	"strings"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// IsInline tells whether a /sync filter parameter is a filter written out
// (a JSON object) rather than the ID of a stored one.
func IsInline(param string) bool {
	return strings.HasPrefix(strings.TrimLeft(param, " \t\r\n"), "{")
}

// Parse reads a whole filter from JSON and validates it. JSON that is not
// a filter object, or has fields of the wrong type, is M_BAD_JSON; values
// the spec forbids (a limit under 1, an unknown event format, malformed
// IDs) are M_INVALID_PARAM.
func Parse(b []byte) (*Filter, error) {
	var f Filter
	if err := decode(b, &f); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// FromValue reads a filter from any value that encodes to a filter's JSON,
// such as a generated request body, and validates it as Parse does.
func FromValue(v any) (*Filter, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, mxerr.Wrap(err, mxerr.BadJSON, "the filter cannot be encoded as JSON")
	}
	return Parse(b)
}

// ParseRoomEventFilter reads a RoomEventFilter, as /messages and /context
// take inline, with the errors of Parse.
func ParseRoomEventFilter(b []byte) (*RoomEventFilter, error) {
	var f RoomEventFilter
	if err := decode(b, &f); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

func decode(b []byte, v any) error {
	val := jsontext.Value(b)
	if !val.IsValid() {
		return mxerr.New(mxerr.BadJSON, "the filter is not valid JSON")
	}
	if k := val.Kind(); k != '{' {
		return mxerr.New(mxerr.BadJSON, "the filter must be a JSON object")
	}
	if err := json.Unmarshal(b, v); err != nil {
		var se *json.SemanticError
		if errors.As(err, &se) && se.JSONPointer != "" {
			return mxerr.Wrap(err, mxerr.BadJSON, "filter field "+string(se.JSONPointer)+" has the wrong type")
		}
		return mxerr.Wrap(err, mxerr.BadJSON, "the filter is not valid")
	}
	return nil
}

// Validate checks the values of f that its JSON types do not.
func (f *Filter) Validate() error {
	if f == nil {
		return nil
	}
	switch f.EventFormat {
	case "", FormatClient, FormatFederation:
	default:
		return mxerr.New(mxerr.InvalidParam, "event_format must be client or federation")
	}
	for _, p := range f.EventFields {
		if p == "" {
			return mxerr.New(mxerr.InvalidParam, "event_fields must not hold an empty path")
		}
	}
	if err := f.Presence.Validate(); err != nil {
		return err
	}
	if err := f.AccountData.Validate(); err != nil {
		return err
	}
	return f.Room.Validate()
}

// Validate checks the values of f that its JSON types do not.
func (f *RoomFilter) Validate() error {
	if f == nil {
		return nil
	}
	if err := validRooms(f.Rooms, f.NotRooms); err != nil {
		return err
	}
	for _, sub := range []*RoomEventFilter{f.Timeline, f.State, f.Ephemeral, f.AccountData} {
		if err := sub.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the values of f that its JSON types do not.
func (f *RoomEventFilter) Validate() error {
	if f == nil {
		return nil
	}
	if err := f.EventFilter.Validate(); err != nil {
		return err
	}
	return validRooms(f.Rooms, f.NotRooms)
}

// Validate checks the values of f that its JSON types do not.
func (f *EventFilter) Validate() error {
	if f == nil {
		return nil
	}
	if f.Limit != nil && *f.Limit < 1 {
		return mxerr.New(mxerr.InvalidParam, "a filter's limit must be greater than 0")
	}
	for _, list := range [][]id.UserID{f.Senders, f.NotSenders} {
		for _, u := range list {
			if _, err := mxid.ParseUserID(string(u)); err != nil {
				return err
			}
		}
	}
	return nil
}

func validRooms(lists ...[]id.RoomID) error {
	for _, list := range lists {
		for _, r := range list {
			if _, err := mxid.ParseRoomID(string(r)); err != nil {
				return err
			}
		}
	}
	return nil
}
