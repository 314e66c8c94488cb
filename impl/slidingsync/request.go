package slidingsync

import (
	"time"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// Shape is the wire form of a request and its response.
type Shape int

// The shapes of sliding sync clients send.
const (
	// ShapeV4 is the merged MSC4186 (POST /v4/sync).
	ShapeV4 Shape = iota
	// ShapeUnstable is what Element X sends today (the Synapse experimental
	// form: invite_state, unstable_expanded_timeline, counts).
	ShapeUnstable
	// ShapeMSC3575 is the original MSC3575 path: the unstable form with
	// SYNC ops in list results.
	ShapeMSC3575
)

// Limits of a request, from MSC4186.
const (
	maxLists         = 100
	maxSubscriptions = 100
	maxTimelineLimit = 100
)

// Request is a sliding sync request in either shape.
type Request struct {
	User   id.UserID
	Device id.DeviceID
	Shape  Shape
	ConnID string
	// Pos is the client's pos, empty for a new connection.
	Pos         string
	Timeout     time.Duration
	SetPresence string

	Lists         map[string]ListConfig
	Subscriptions map[id.RoomID]RoomConfig
	Extensions    Extensions
}

// ListConfig is a list: which rooms (filters, ranges) and what of them.
type ListConfig struct {
	RoomConfig
	// Ranges index the filtered, sorted list (inclusive); nil is all.
	Ranges  [][2]int
	Filters Filters
}

// RoomConfig is what to send of a room.
type RoomConfig struct {
	TimelineLimit int
	RequiredState RequiredState
}

// Filters choose the rooms of a list; nil fields do not filter.
type Filters struct {
	IsDM, IsEncrypted, IsInvited *bool
	Spaces                       []id.RoomID
	// RoomTypes and NotRoomTypes hold "" for rooms without a type.
	RoomTypes, NotRoomTypes []string
	HasRoomTypes            bool
	Tags, NotTags           []string
}

// Extensions are the extensions a request enables.
type Extensions struct {
	ToDevice    *ToDeviceExtension
	E2EE        bool
	AccountData *RoomScope
	Receipts    *RoomScope
	Typing      *RoomScope
}

// ToDeviceExtension is the to-device extension, with its own token.
type ToDeviceExtension struct {
	Since string
	Limit int
}

// RoomScope says which rooms a room extension covers: rooms of the named
// lists and the named rooms ("*" meaning all of them); nil fields mean all
// the rooms in the response.
type RoomScope struct {
	Lists []string
	Rooms []string
}

// validate applies MSC4186's limits.
func (r *Request) validate() error {
	if len(r.Lists) > maxLists {
		return mxerr.New(mxerr.InvalidParam, "at most %d lists", maxLists)
	}
	if len(r.Subscriptions) > maxSubscriptions {
		return mxerr.New(mxerr.InvalidParam, "at most %d room subscriptions", maxSubscriptions)
	}
	switch r.SetPresence {
	case "", "online", "offline", "unavailable":
	default:
		return mxerr.New(mxerr.InvalidParam, "set_presence must be online, offline or unavailable")
	}
	for name, l := range r.Lists {
		for _, rg := range l.Ranges {
			if rg[0] < 0 || rg[1] < rg[0] {
				return mxerr.New(mxerr.InvalidParam, "list %q has an invalid range", name)
			}
		}
	}
	return nil
}
