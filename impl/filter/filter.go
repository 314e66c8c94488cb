package filter

import (
	"maunium.net/go/mautrix/id"
)

// EventFormat is how events are given to the client.
type EventFormat string

// The event formats a filter may ask for.
const (
	FormatClient     EventFormat = "client"
	FormatFederation EventFormat = "federation"
)

// Filter is a whole filter, as /sync takes it (by ID or inline) and POST
// /user/{userId}/filter stores it.
//
// List fields keep the spec's distinction between absent (nil: no
// restriction) and empty (a list that matches nothing).
type Filter struct {
	// EventFields lists the dot-separated paths of event fields to keep;
	// nil keeps all.
	EventFields []string `json:"event_fields,omitzero"`
	// EventFormat is client (the default) or federation.
	EventFormat EventFormat `json:"event_format,omitzero"`
	// Presence filters the presence updates.
	Presence *EventFilter `json:"presence,omitzero"`
	// AccountData filters global account data.
	AccountData *EventFilter `json:"account_data,omitzero"`
	// Room filters everything of rooms.
	Room *RoomFilter `json:"room,omitzero"`
}

// RoomFilter is the part of a filter that applies to rooms.
type RoomFilter struct {
	// Rooms and NotRooms choose rooms before the filters below apply.
	Rooms    []id.RoomID `json:"rooms,omitzero"`
	NotRooms []id.RoomID `json:"not_rooms,omitzero"`
	// IncludeLeave includes rooms the user left in /sync.
	IncludeLeave bool `json:"include_leave,omitzero"`
	// Timeline, State, Ephemeral and AccountData filter each section of a
	// room in /sync.
	Timeline    *RoomEventFilter `json:"timeline,omitzero"`
	State       *RoomEventFilter `json:"state,omitzero"`
	Ephemeral   *RoomEventFilter `json:"ephemeral,omitzero"`
	AccountData *RoomEventFilter `json:"account_data,omitzero"`
}

// EventFilter chooses events by type and sender, and bounds their number.
type EventFilter struct {
	// Limit is the most events to return; nil leaves it to the server.
	Limit *int `json:"limit,omitzero"`
	// Types and NotTypes are event types; "*" matches any run of
	// characters. A type in NotTypes is excluded even if Types has it.
	Types    []string `json:"types,omitzero"`
	NotTypes []string `json:"not_types,omitzero"`
	// Senders and NotSenders choose by sender the same way.
	Senders    []id.UserID `json:"senders,omitzero"`
	NotSenders []id.UserID `json:"not_senders,omitzero"`
}

// RoomEventFilter is an EventFilter for room events: /messages and
// /context take one, and so does each section of a room in /sync.
type RoomEventFilter struct {
	EventFilter
	// Rooms and NotRooms choose rooms.
	Rooms    []id.RoomID `json:"rooms,omitzero"`
	NotRooms []id.RoomID `json:"not_rooms,omitzero"`
	// ContainsURL, when set, keeps only events whose content has (true) or
	// has not (false) a url.
	ContainsURL *bool `json:"contains_url,omitzero"`
	// LazyLoadMembers sends only the member events of the senders of the
	// events returned; IncludeRedundantMembers sends them even when the
	// client was sent them before.
	LazyLoadMembers         bool `json:"lazy_load_members,omitzero"`
	IncludeRedundantMembers bool `json:"include_redundant_members,omitzero"`
	// UnreadThreadNotifications asks /sync for per-thread counts.
	UnreadThreadNotifications bool `json:"unread_thread_notifications,omitzero"`
}

// Format returns the event format, client when none was asked for.
func (f *Filter) Format() EventFormat {
	if f == nil || f.EventFormat == "" {
		return FormatClient
	}
	return f.EventFormat
}
