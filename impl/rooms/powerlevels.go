package rooms

import (
	"encoding/json"
	"maps"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// powerLevels is a new room's m.room.power_levels content: hearth's
// defaults for the preset, with the client's override on top (top-level
// keys replace).
func powerLevels(p CreateParams, version id.RoomVersion, preset string) ([]byte, error) {
	users := map[string]any{}
	if !version.PrivilegedRoomCreators() {
		// From room version 12 creators have unlimited power and must not
		// be listed.
		users[string(p.Creator)] = 100
		if preset == PresetTrustedPrivateChat {
			for _, u := range p.Invite {
				users[string(u)] = 100
			}
		}
	}
	invite := 0
	if preset == PresetPublicChat {
		invite = 50
	}
	pl := map[string]any{
		"users":          users,
		"users_default":  0,
		"events_default": 0,
		"state_default":  50,
		"ban":            50,
		"kick":           50,
		"redact":         50,
		"invite":         invite,
		"events": map[string]any{
			event.StateRoomName.Type:          50,
			event.StateRoomAvatar.Type:        50,
			event.StateCanonicalAlias.Type:    50,
			event.StateTopic.Type:             50,
			event.StatePowerLevels.Type:       100,
			event.StateHistoryVisibility.Type: 100,
			event.StateTombstone.Type:         100,
			event.StateServerACL.Type:         100,
			event.StateEncryption.Type:        100,
		},
		"notifications": map[string]any{"room": 50},
	}
	if len(p.PowerLevelOverride) > 0 {
		var override map[string]json.RawMessage
		if err := json.Unmarshal(p.PowerLevelOverride, &override); err != nil {
			return nil, mxerr.New(mxerr.BadJSON, "power_level_content_override must be an object")
		}
		merged := make(map[string]any, len(pl)+len(override))
		maps.Copy(merged, pl)
		for k, v := range override {
			merged[k] = v
		}
		pl = merged
	}
	return json.Marshal(pl)
}
