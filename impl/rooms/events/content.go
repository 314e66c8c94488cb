package events

import (
	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// CheckContent refuses, with M_BAD_JSON, state content whose fields have
// the wrong types for the event types the auth rules read: a power level
// that is not an integer would otherwise make the room unusable, and a
// member event without a valid membership cannot be authorised.
func CheckContent(rv id.RoomVersion, evType string, content []byte) error {
	c := gjson.ParseBytes(content)
	if !c.IsObject() {
		return mxerr.New(mxerr.BadJSON, "content must be a JSON object")
	}
	switch evType {
	case "m.room.power_levels":
		return checkPowerLevels(c)
	case "m.room.member":
		return checkMember(c)
	}
	return nil
}

var powerLevelFields = []string{"ban", "events_default", "invite", "kick", "redact", "state_default", "users_default"}

func checkPowerLevels(c gjson.Result) error {
	for _, f := range powerLevelFields {
		if v := c.Get(f); v.Exists() && !isInteger(v) {
			return mxerr.New(mxerr.BadJSON, "power level %q must be an integer", f)
		}
	}
	for _, m := range []string{"events", "notifications"} {
		v := c.Get(m)
		if !v.Exists() {
			continue
		}
		if !v.IsObject() {
			return mxerr.New(mxerr.BadJSON, "%q must be an object of integers", m)
		}
		var bad string
		v.ForEach(func(k, lvl gjson.Result) bool {
			if !isInteger(lvl) {
				bad = k.String()
				return false
			}
			return true
		})
		if bad != "" {
			return mxerr.New(mxerr.BadJSON, "%s.%s must be an integer", m, bad)
		}
	}
	if users := c.Get("users"); users.Exists() {
		if !users.IsObject() {
			return mxerr.New(mxerr.BadJSON, `"users" must be an object of integers`)
		}
		var bad string
		users.ForEach(func(k, lvl gjson.Result) bool {
			if _, _, err := id.UserID(k.String()).ParseAndValidateRelaxed(); err != nil || !isInteger(lvl) {
				bad = k.String()
				return false
			}
			return true
		})
		if bad != "" {
			return mxerr.New(mxerr.BadJSON, "users.%s must be a user ID with an integer level", bad)
		}
	}
	return nil
}

var memberships = map[string]bool{"invite": true, "join": true, "leave": true, "ban": true, "knock": true}

func checkMember(c gjson.Result) error {
	m := c.Get("membership")
	if m.Type != gjson.String || !memberships[m.Str] {
		return mxerr.New(mxerr.BadJSON, "membership must be one of invite, join, leave, ban, knock")
	}
	for _, f := range []string{"displayname", "avatar_url", "reason"} {
		if v := c.Get(f); v.Exists() && v.Type != gjson.String && v.Type != gjson.Null {
			return mxerr.New(mxerr.BadJSON, "%q must be a string", f)
		}
	}
	if v := c.Get("is_direct"); v.Exists() && !v.IsBool() {
		return mxerr.New(mxerr.BadJSON, `"is_direct" must be a boolean`)
	}
	return nil
}

// isInteger accepts JSON integers (not strings or floats): room versions
// from 10 on require power levels to be integers.
func isInteger(v gjson.Result) bool {
	if v.Type != gjson.Number {
		return false
	}
	for _, ch := range v.Raw {
		if ch == '.' || ch == 'e' || ch == 'E' {
			return false
		}
	}
	return true
}
