package filter

import (
	"slices"
	"strings"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/id"
)

// Fields are what a filter looks at in an event.
type Fields struct {
	Room   id.RoomID
	Sender id.UserID
	Type   string
	// HasURL tells whether the content has a url (see HasURL).
	HasURL bool
}

// HasURL tells whether event content has a string url, what contains_url
// asks about.
func HasURL(content []byte) bool {
	return gjson.GetBytes(content, "url").Type == gjson.String
}

// Match tells whether the filter keeps an event. A nil filter keeps all.
func (f *RoomEventFilter) Match(e Fields) bool {
	if f == nil {
		return true
	}
	if !f.MatchRoom(e.Room) || !f.EventFilter.Match(e.Sender, e.Type) {
		return false
	}
	return f.ContainsURL == nil || *f.ContainsURL == e.HasURL
}

// MatchRoom tells whether the filter keeps a room's events.
func (f *RoomEventFilter) MatchRoom(room id.RoomID) bool {
	return f == nil || matchRoom(f.Rooms, f.NotRooms, room)
}

// MatchRoom tells whether the filter keeps a room at all.
func (f *RoomFilter) MatchRoom(room id.RoomID) bool {
	return f == nil || matchRoom(f.Rooms, f.NotRooms, room)
}

// Match tells whether the filter keeps an event of sender and type.
func (f *EventFilter) Match(sender id.UserID, evType string) bool {
	if f == nil {
		return true
	}
	return f.MatchSender(sender) && f.MatchType(evType)
}

// MatchSender applies Senders and NotSenders.
func (f *EventFilter) MatchSender(sender id.UserID) bool {
	if f == nil {
		return true
	}
	if slices.Contains(f.NotSenders, sender) {
		return false
	}
	return f.Senders == nil || slices.Contains(f.Senders, sender)
}

// MatchType applies Types and NotTypes, with their wildcards.
func (f *EventFilter) MatchType(evType string) bool {
	if f == nil {
		return true
	}
	for _, p := range f.NotTypes {
		if Glob(p, evType) {
			return false
		}
	}
	if f.Types == nil {
		return true
	}
	for _, p := range f.Types {
		if Glob(p, evType) {
			return true
		}
	}
	return false
}

// LimitOr returns the filter's limit, or def when it has none, never above
// max.
func (f *EventFilter) LimitOr(def, max int) int {
	n := def
	if f != nil && f.Limit != nil {
		n = *f.Limit
	}
	return min(n, max)
}

func matchRoom(rooms, notRooms []id.RoomID, room id.RoomID) bool {
	if slices.Contains(notRooms, room) {
		return false
	}
	return rooms == nil || slices.Contains(rooms, room)
}

// Glob matches s against a filter pattern, in which "*" matches any run of
// characters (none included) and every other character itself.
func Glob(pattern, s string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == s
	}
	parts := strings.Split(pattern, "*")
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	rest := s[len(first) : len(s)-len(last)]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, mid)
		if i < 0 {
			return false
		}
		rest = rest[i+len(mid):]
	}
	return true
}
