package rooms

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/id"
)

func TestUpgradePowerLevels(t *testing.T) {
	t.Parallel()
	const old = `{"users":{"@alice:x":100,"@bob:x":50,"@big:x":9007199254740991},"events_default":0,"events":{"m.room.name":50}}`
	for _, tc := range []struct {
		name       string
		from, to   id.RoomVersion
		user       id.UserID
		creators   []id.UserID
		old, users string
	}{
		{"to version 12: creators leave the list", id.RoomV11, id.RoomV12, "@alice:x", []id.UserID{"@bob:x"}, old,
			`{"@big:x":9007199254740991}`},
		{"between older versions: as it was", id.RoomV10, id.RoomV11, "@alice:x", nil, old,
			`{"@alice:x":100,"@bob:x":50,"@big:x":9007199254740991}`},
		{"from version 12: the creator joins the list at the top", id.RoomV12, id.RoomV11, "@carol:x", nil, old,
			`{"@alice:x":100,"@bob:x":50,"@big:x":9007199254740991,"@carol:x":9007199254740991}`},
		{"from version 12, with no one listed: 100", id.RoomV12, id.RoomV11, "@carol:x", nil, `{"users":{}}`,
			`{"@carol:x":100}`},
		{"from version 12, listed already: kept", id.RoomV12, id.RoomV10, "@bob:x", nil, old,
			`{"@alice:x":100,"@bob:x":50,"@big:x":9007199254740991}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := upgradePowerLevels(UpgradeParams{Room: "!r:x", User: tc.user, Version: tc.to, AdditionalCreators: tc.creators}, tc.from, []byte(tc.old))
			require.NoError(t, err)
			var pl map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(out, &pl))
			require.JSONEq(t, tc.users, string(pl["users"]))
			if ev, ok := pl["events"]; ok {
				require.JSONEq(t, `{"m.room.name":50}`, string(ev), "the rest is kept")
			}
		})
	}
}

func TestRestrictPowerLevels(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, old     string
		floor         int64
		changed       bool
		eventsDefault string
		invite        string
	}{
		{"defaults", `{}`, 50, true, "50", "50"},
		{"already restricted", `{"events_default":50,"invite":100}`, 50, false, "50", "100"},
		{"users_default above 49", `{"users_default":70,"events_default":60,"invite":0}`, 71, true, "71", "71"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, floor, changed := restrictPowerLevels([]byte(tc.old))
			require.Equal(t, tc.floor, floor)
			require.Equal(t, tc.changed, changed)
			var pl map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(out, &pl))
			require.Equal(t, tc.eventsDefault, string(pl["events_default"]))
			require.Equal(t, tc.invite, string(pl["invite"]))
		})
	}
}

func TestUpgradeCreateContent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		p    UpgradeParams
		old  string
		want string
	}{
		{"version 12, with additional creators (the upgrader and repeats dropped)",
			UpgradeParams{Room: "!old:x", User: "@a:x", Version: id.RoomV12, AdditionalCreators: []id.UserID{"@b:x", "@a:x", "@b:x"}},
			`{"room_version":"11","type":"m.space","m.federate":false}`,
			`{"room_version":"12","predecessor":{"room_id":"!old:x","event_id":"$last"},"type":"m.space","m.federate":false,"additional_creators":["@b:x"]}`},
		{"version 10 names its creator and ignores additional ones",
			UpgradeParams{Room: "!old:x", User: "@a:x", Version: id.RoomV10, AdditionalCreators: []id.UserID{"@b:x"}},
			`{"room_version":"10","creator":"@z:x","m.federate":true}`,
			`{"room_version":"10","predecessor":{"room_id":"!old:x","event_id":"$last"},"creator":"@a:x"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.JSONEq(t, tc.want, string(upgradeCreateContent(tc.p, []byte(tc.old), "$last")))
		})
	}
}
