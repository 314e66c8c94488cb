package rooms

import (
	"context"
	"encoding/json"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/state"
)

// strippedTypes are the state (with the empty state key) a user sees of a
// room they are invited to or knocking on: enough to show it and decide.
var strippedTypes = map[string]bool{
	event.StateCreate.Type:         true,
	event.StateJoinRules.Type:      true,
	event.StateRoomName.Type:       true,
	event.StateRoomAvatar.Type:     true,
	event.StateCanonicalAlias.Type: true,
	event.StateEncryption.Type:     true,
	event.StateTopic.Type:          true,
}

// StrippedState is what user sees of a room they are invited to or knocking
// on, at snapshot snap: its stripped state events and the user's own member
// event, each as type, state key, sender and content.
func (s *Service) StrippedState(ctx context.Context, snap state.SnapshotNID, user id.UserID) ([]json.RawMessage, error) {
	evs, err := s.StateEvents(ctx, snap, func(k state.Key) bool {
		return strippedTypes[k.Type] && k.StateKey == "" || (k.Type == event.StateMember.Type && k.StateKey == string(user))
	})
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, len(evs))
	for i, e := range evs {
		out[i] = strippedEvent(e)
	}
	return out, nil
}

// strippedEvent is an event's stripped form.
func strippedEvent(e *events.Event) json.RawMessage {
	b, _ := json.Marshal(struct {
		Type     string          `json:"type"`
		StateKey string          `json:"state_key"`
		Sender   id.UserID       `json:"sender"`
		Content  json.RawMessage `json:"content"`
	}{e.Type, *e.StateKey, e.Sender, e.Content()})
	return b
}
