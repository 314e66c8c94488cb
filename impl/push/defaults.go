package push

import (
	"encoding/json"

	"maunium.net/go/mautrix/id"
)

// The server-default rules of v1.19 (client-server API, push, predefined
// rules), in their order within each kind. Matrix 1.17 removed the legacy
// mention rules (.m.rule.contains_display_name, .m.rule.roomnotif and the
// content rule .m.rule.contains_user_name): mentions are m.mentions. There
// are no default content, room or sender rules.
const (
	RuleMaster                = ".m.rule.master"
	RuleSuppressNotices       = ".m.rule.suppress_notices"
	RuleInviteForMe           = ".m.rule.invite_for_me"
	RuleMemberEvent           = ".m.rule.member_event"
	RuleIsUserMention         = ".m.rule.is_user_mention"
	RuleIsRoomMention         = ".m.rule.is_room_mention"
	RuleTombstone             = ".m.rule.tombstone"
	RuleReaction              = ".m.rule.reaction"
	RuleServerACL             = ".m.rule.room.server_acl"
	RuleSuppressEdits         = ".m.rule.suppress_edits"
	RuleCall                  = ".m.rule.call"
	RuleEncryptedRoomOneToOne = ".m.rule.encrypted_room_one_to_one"
	RuleRoomOneToOne          = ".m.rule.room_one_to_one"
	RuleMessage               = ".m.rule.message"
	RuleEncrypted             = ".m.rule.encrypted"
)

// Defaults returns the server-default rules for user, per kind in the
// order they are checked.
func Defaults(user id.UserID) map[Kind][]Rule {
	notify := action(`"notify"`)
	soundDefault := action(`{"set_tweak":"sound","value":"default"}`)
	soundRing := action(`{"set_tweak":"sound","value":"ring"}`)
	highlight := action(`{"set_tweak":"highlight"}`)
	typeIs := func(t string) Condition { return eventMatch("type", t) }
	stateKeyEmpty := eventMatch("state_key", "")
	oneToOne := Condition{Kind: CondRoomMemberCount, Is: "2", Raw: json.RawMessage(`{"kind":"room_member_count","is":"2"}`)}

	return map[Kind][]Rule{
		KindOverride: {
			{ID: RuleMaster, Enabled: false, Conditions: []Condition{}},
			{ID: RuleSuppressNotices, Conditions: []Condition{eventMatch("content.msgtype", "m.notice")}},
			{ID: RuleInviteForMe, Conditions: []Condition{typeIs("m.room.member"), eventMatch("content.membership", "invite"),
				eventMatch("state_key", string(user))}, Actions: []Action{notify, soundDefault}},
			{ID: RuleMemberEvent, Conditions: []Condition{typeIs("m.room.member")}},
			{ID: RuleIsUserMention, Conditions: []Condition{propertyCondition(CondEventPropertyContains, `content.m\.mentions.user_ids`, string(user))},
				Actions: []Action{notify, soundDefault, highlight}},
			{ID: RuleIsRoomMention, Conditions: []Condition{propertyCondition(CondEventPropertyIs, `content.m\.mentions.room`, true),
				{Kind: CondSenderNotificationPermit, Key: "room", Raw: json.RawMessage(`{"kind":"sender_notification_permission","key":"room"}`)}},
				Actions: []Action{notify, highlight}},
			{ID: RuleTombstone, Conditions: []Condition{typeIs("m.room.tombstone"), stateKeyEmpty}, Actions: []Action{notify, highlight}},
			{ID: RuleReaction, Conditions: []Condition{typeIs("m.reaction")}},
			{ID: RuleServerACL, Conditions: []Condition{typeIs("m.room.server_acl"), stateKeyEmpty}},
			{ID: RuleSuppressEdits, Conditions: []Condition{propertyCondition(CondEventPropertyIs, `content.m\.relates_to.rel_type`, "m.replace")}},
		},
		KindUnderride: {
			{ID: RuleCall, Conditions: []Condition{typeIs("m.call.invite")}, Actions: []Action{notify, soundRing}},
			{ID: RuleEncryptedRoomOneToOne, Conditions: []Condition{oneToOne, typeIs("m.room.encrypted")}, Actions: []Action{notify, soundDefault}},
			{ID: RuleRoomOneToOne, Conditions: []Condition{oneToOne, typeIs("m.room.message")}, Actions: []Action{notify, soundDefault}},
			{ID: RuleMessage, Conditions: []Condition{typeIs("m.room.message")}, Actions: []Action{notify}},
			{ID: RuleEncrypted, Conditions: []Condition{typeIs("m.room.encrypted")}, Actions: []Action{notify}},
		},
	}
}

// defaultsFor returns Defaults with every rule marked as a default, enabled
// unless it is the master rule, with empty action lists where none are set.
func defaultsFor(user id.UserID) map[Kind][]Rule {
	d := Defaults(user)
	for _, rules := range d {
		for i := range rules {
			rules[i].Default = true
			rules[i].Enabled = rules[i].ID != RuleMaster
			if rules[i].Actions == nil {
				rules[i].Actions = []Action{}
			}
		}
	}
	return d
}

func action(raw string) Action {
	a, err := ParseActions([]json.RawMessage{json.RawMessage(raw)})
	if err != nil || len(a) != 1 {
		panic("push: bad default action " + raw) // a typo above; covered by tests
	}
	return a[0]
}

func eventMatch(key, pattern string) Condition {
	raw, _ := json.Marshal(struct {
		Kind    string `json:"kind"`
		Key     string `json:"key"`
		Pattern string `json:"pattern"`
	}{CondEventMatch, key, pattern})
	return Condition{Kind: CondEventMatch, Key: key, Pattern: pattern, Raw: raw}
}

func propertyCondition(kind, key string, value any) Condition {
	v, _ := json.Marshal(value)
	raw, _ := json.Marshal(struct {
		Kind  string          `json:"kind"`
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	}{kind, key, v})
	return Condition{Kind: kind, Key: key, Value: v, Raw: raw}
}
