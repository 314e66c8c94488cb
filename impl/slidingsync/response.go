package slidingsync

import (
	"encoding/json"
	"fmt"

	"maunium.net/go/mautrix/id"
)

type rawEvent = json.RawMessage

// Response is a sliding sync answer in neither shape; encode writes one.
type Response struct {
	Pos   string
	Lists map[string]*listResult
	Rooms map[id.RoomID]*roomResult

	ToDevice    *toDeviceResult
	E2EE        *e2eeResult
	AccountData *accountDataResult
	Receipts    *roomEventsResult
	Typing      *roomEventsResult
}

type listResult struct {
	Count int
	Ops   []syncOp
}

type syncOp struct {
	Op      string      `json:"op"`
	Range   [2]int      `json:"range"`
	RoomIDs []id.RoomID `json:"room_ids"`
}

type hero struct {
	UserID      id.UserID `json:"user_id"`
	DisplayName string    `json:"displayname,omitempty"`
	AvatarURL   string    `json:"avatar_url,omitempty"`
}

type roomResult struct {
	Name, Avatar              *string
	Heroes                    []hero
	IsDM, Initial, Expanded   bool
	RequiredState, Timeline   []rawEvent
	Stripped                  []rawEvent
	PrevBatch                 string
	Limited                   bool
	NumLive                   int
	BumpStamp                 int64
	JoinedCount, InvitedCount *int
	Notifications, Highlights int
	Membership                string
	Lists                     []string
}

type toDeviceResult struct {
	NextBatch string     `json:"next_batch"`
	Events    []rawEvent `json:"events"`
}

type e2eeResult struct {
	Changed, Left []id.UserID
	OneTimeKeys   map[string]int
	Fallback      []string
}

type accountDataResult struct {
	Global []rawEvent               `json:"global"`
	Rooms  map[id.RoomID][]rawEvent `json:"rooms"`
}

type roomEventsResult struct {
	Rooms map[id.RoomID]rawEvent `json:"rooms"`
}

func newResponse() *Response {
	return &Response{Lists: map[string]*listResult{}, Rooms: map[id.RoomID]*roomResult{}}
}

// empty tells whether the response tells the client nothing new: rooms
// and extension data, not list counts.
func (r *Response) empty() bool {
	if len(r.Rooms) > 0 {
		return false
	}
	if r.ToDevice != nil && len(r.ToDevice.Events) > 0 {
		return false
	}
	if r.E2EE != nil && (len(r.E2EE.Changed) > 0 || len(r.E2EE.Left) > 0) {
		return false
	}
	if r.AccountData != nil && (len(r.AccountData.Global) > 0 || len(r.AccountData.Rooms) > 0) {
		return false
	}
	if r.Receipts != nil && len(r.Receipts.Rooms) > 0 {
		return false
	}
	return r.Typing == nil || len(r.Typing.Rooms) == 0
}

// encode writes the response in a shape: the merged proposal's, or the
// unstable one Element X reads (invite_state, unstable_expanded_timeline,
// unread counts; SYNC ops for MSC3575).
func (r *Response) encode(shape Shape) ([]byte, error) {
	lists := make(map[string]any, len(r.Lists))
	for name, l := range r.Lists {
		m := map[string]any{"count": l.Count}
		if shape == ShapeMSC3575 {
			ops := l.Ops
			if ops == nil {
				ops = []syncOp{}
			}
			m["ops"] = ops
		}
		lists[name] = m
	}
	rooms := make(map[id.RoomID]any, len(r.Rooms))
	for room, res := range r.Rooms {
		rooms[room] = res.fields(shape)
	}
	ext := map[string]any{}
	if r.ToDevice != nil {
		ext["to_device"] = r.ToDevice
	}
	if e := r.E2EE; e != nil {
		changed, left := e.Changed, e.Left
		if changed == nil {
			changed = []id.UserID{}
		}
		if left == nil {
			left = []id.UserID{}
		}
		otk := e.OneTimeKeys
		if otk == nil {
			otk = map[string]int{}
		}
		fallback := e.Fallback
		if fallback == nil {
			fallback = []string{}
		}
		ext["e2ee"] = map[string]any{
			"device_lists":                     map[string]any{"changed": changed, "left": left},
			"device_one_time_keys_count":       otk,
			"device_unused_fallback_key_types": fallback,
		}
	}
	if r.AccountData != nil {
		ext["account_data"] = r.AccountData
	}
	if r.Receipts != nil {
		ext["receipts"] = r.Receipts
	}
	if r.Typing != nil {
		ext["typing"] = r.Typing
	}
	b, err := json.Marshal(map[string]any{"pos": r.Pos, "lists": lists, "rooms": rooms, "extensions": ext})
	if err != nil {
		return nil, fmt.Errorf("encode sliding sync response: %w", err)
	}
	return b, nil
}

// fields is a room result as a JSON object of the shape.
func (res *roomResult) fields(shape Shape) map[string]any {
	m := map[string]any{"bump_stamp": res.BumpStamp}
	if res.Membership != "" {
		m["membership"] = res.Membership
	}
	if res.Initial {
		m["initial"] = true
	}
	if res.Name != nil {
		m["name"] = *res.Name
	}
	if res.Avatar != nil {
		m["avatar"] = *res.Avatar
	}
	if res.Heroes != nil {
		m["heroes"] = res.Heroes
	}
	if res.IsDM {
		m["is_dm"] = true
	}
	if len(res.Lists) > 0 && shape == ShapeV4 {
		m["lists"] = res.Lists
	}
	if res.Stripped != nil {
		key := "stripped_state"
		if shape != ShapeV4 {
			key = "invite_state"
		}
		m[key] = res.Stripped
		return m
	}
	if res.Expanded {
		key := "expanded_timeline"
		if shape != ShapeV4 {
			key = "unstable_expanded_timeline"
		}
		m[key] = true
	}
	m["required_state"] = nonNil(res.RequiredState)
	m["timeline"] = nonNil(res.Timeline)
	if res.PrevBatch != "" {
		m["prev_batch"] = res.PrevBatch
	}
	if res.Limited {
		m["limited"] = true
	}
	m["num_live"] = res.NumLive
	if res.JoinedCount != nil {
		m["joined_count"] = *res.JoinedCount
		m["invited_count"] = *res.InvitedCount
	}
	if shape != ShapeV4 {
		m["notification_count"] = res.Notifications
		m["highlight_count"] = res.Highlights
	}
	return m
}

func nonNil(evs []rawEvent) []rawEvent {
	if evs == nil {
		return []rawEvent{}
	}
	return evs
}
