package syncer

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/stream"
)

// rawEvent is an event as it goes to the client.
type rawEvent = json.RawMessage

type eventList struct {
	Events []rawEvent `json:"events"`
}

type timelineSection struct {
	Events    []rawEvent `json:"events"`
	Limited   bool       `json:"limited"`
	PrevBatch string     `json:"prev_batch,omitempty"`
}

type summary struct {
	Heroes  []id.UserID `json:"m.heroes"`
	Joined  int         `json:"m.joined_member_count"`
	Invited int         `json:"m.invited_member_count"`
}

type unreadCounts struct {
	Notifications int `json:"notification_count"`
	Highlights    int `json:"highlight_count"`
}

type joinedRoom struct {
	Timeline    timelineSection             `json:"timeline"`
	State       *eventList                  `json:"state,omitempty"`
	StateAfter  *eventList                  `json:"state_after,omitempty"`
	Ephemeral   []rawEvent                  `json:"-"`
	AccountData []rawEvent                  `json:"-"`
	Summary     *summary                    `json:"summary,omitempty"`
	Unread      unreadCounts                `json:"unread_notifications"`
	Threads     map[id.EventID]unreadCounts `json:"unread_thread_notifications,omitempty"`
}

// MarshalJSON adds the ephemeral and account data lists, present even when
// empty.
func (j *joinedRoom) MarshalJSON() ([]byte, error) {
	type plain joinedRoom
	return json.Marshal(struct {
		*plain
		Ephemeral   eventList `json:"ephemeral"`
		AccountData eventList `json:"account_data"`
	}{(*plain)(j), eventList{nonNil(j.Ephemeral)}, eventList{nonNil(j.AccountData)}})
}

type invitedRoom struct {
	InviteState *eventList `json:"invite_state"`
}

type knockedRoom struct {
	KnockState *eventList `json:"knock_state"`
}

type leftRoom struct {
	Timeline   timelineSection `json:"timeline"`
	State      *eventList      `json:"state,omitempty"`
	StateAfter *eventList      `json:"state_after,omitempty"`
}

// response is a /sync answer being built.
type response struct {
	join        map[id.RoomID]*joinedRoom
	invite      map[id.RoomID]*invitedRoom
	knock       map[id.RoomID]*knockedRoom
	leave       map[id.RoomID]*leftRoom
	accountData []rawEvent
	presence    []rawEvent
	devices     *DeviceSections
}

func newResponse() *response {
	return &response{
		join:   map[id.RoomID]*joinedRoom{},
		invite: map[id.RoomID]*invitedRoom{},
		knock:  map[id.RoomID]*knockedRoom{},
		leave:  map[id.RoomID]*leftRoom{},
	}
}

// empty tells whether there is nothing to tell the client (a long-poll
// waits then).
func (r *response) empty() bool {
	d := r.devices
	return len(r.join) == 0 && len(r.invite) == 0 && len(r.knock) == 0 && len(r.leave) == 0 &&
		len(r.accountData) == 0 && len(r.presence) == 0 &&
		(d == nil || (len(d.ToDevice) == 0 && len(d.Changed) == 0 && len(d.Left) == 0))
}

// encode writes the response with next_batch upto.
func (r *response) encode(upto stream.Pos) ([]byte, error) {
	out := struct {
		NextBatch   string    `json:"next_batch"`
		Rooms       any       `json:"rooms"`
		AccountData eventList `json:"account_data"`
		Presence    eventList `json:"presence"`
		ToDevice    eventList `json:"to_device"`
		DeviceLists struct {
			Changed []id.UserID `json:"changed"`
			Left    []id.UserID `json:"left"`
		} `json:"device_lists"`
		OneTimeKeys       map[string]int `json:"device_one_time_keys_count"`
		UnusedFallbackKey []string       `json:"device_unused_fallback_key_types"`
	}{
		NextBatch: upto.Token(),
		Rooms: map[string]any{
			"join": r.join, "invite": r.invite, "knock": r.knock, "leave": r.leave,
		},
		AccountData:       eventList{nonNil(r.accountData)},
		Presence:          eventList{nonNil(r.presence)},
		OneTimeKeys:       map[string]int{},
		UnusedFallbackKey: []string{},
	}
	out.DeviceLists.Changed, out.DeviceLists.Left = []id.UserID{}, []id.UserID{}
	out.ToDevice.Events = []rawEvent{}
	if d := r.devices; d != nil {
		out.ToDevice.Events = nonNil(d.ToDevice)
		if d.Changed != nil {
			out.DeviceLists.Changed = d.Changed
		}
		if d.Left != nil {
			out.DeviceLists.Left = d.Left
		}
		if d.OneTimeKeysCount != nil {
			out.OneTimeKeys = d.OneTimeKeysCount
		}
		if d.UnusedFallbackKeys != nil {
			out.UnusedFallbackKey = d.UnusedFallbackKeys
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode sync response: %w", err)
	}
	return b, nil
}

func nonNil(evs []rawEvent) []rawEvent {
	if evs == nil {
		return []rawEvent{}
	}
	return evs
}

func typeOf(e []byte) string      { return gjson.GetBytes(e, "type").Str }
func senderOf(e []byte) id.UserID { return id.UserID(gjson.GetBytes(e, "sender").Str) }
