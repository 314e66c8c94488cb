package push

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/id"
)

// fakeRoom answers Room from fixed values.
type fakeRoom struct {
	members   int
	mayNotify bool
	names     map[id.UserID]string
}

func (r fakeRoom) MemberCount() int                  { return r.members }
func (r fakeRoom) SenderMayNotify(string) bool       { return r.mayNotify }
func (r fakeRoom) DisplayName(user id.UserID) string { return r.names[user] }
func (r fakeRoom) with(members int, may bool) fakeRoom {
	r.members, r.mayNotify = members, may
	return r
}
func evaluatorFor(t *testing.T, user id.UserID, u *userRules) *Evaluator {
	t.Helper()
	rs, err := u.merge(user)
	require.NoError(t, err)
	return Compile(user, rs)
}

const alice = id.UserID("@alice:example.org")

// TestDefaultEvaluation runs the default rules over the events they are
// made for.
func TestDefaultEvaluation(t *testing.T) {
	t.Parallel()
	group := fakeRoom{members: 10}
	dm := fakeRoom{members: 2}
	for _, tc := range []struct {
		name      string
		event     string
		room      fakeRoom
		rule      string
		notify    bool
		highlight bool
	}{
		{"message in a group", `{"type":"m.room.message","sender":"@bob:x","content":{"msgtype":"m.text","body":"hi"}}`, group, RuleMessage, true, false},
		{"message one to one", `{"type":"m.room.message","sender":"@bob:x","content":{"msgtype":"m.text","body":"hi"}}`, dm, RuleRoomOneToOne, true, false},
		{"encrypted in a group", `{"type":"m.room.encrypted","sender":"@bob:x","content":{"algorithm":"m.megolm.v1.aes-sha2"}}`, group, RuleEncrypted, true, false},
		{"encrypted one to one", `{"type":"m.room.encrypted","sender":"@bob:x","content":{}}`, dm, RuleEncryptedRoomOneToOne, true, false},
		{"notice", `{"type":"m.room.message","sender":"@bot:x","content":{"msgtype":"m.notice","body":"beep"}}`, group, RuleSuppressNotices, false, false},
		{"user mention", `{"type":"m.room.message","sender":"@bob:x","content":{"body":"hey","m.mentions":{"user_ids":["@carol:x","@alice:example.org"]}}}`, group, RuleIsUserMention, true, true},
		{"someone else's mention", `{"type":"m.room.message","sender":"@bob:x","content":{"body":"hey","m.mentions":{"user_ids":["@carol:x"]}}}`, group, RuleMessage, true, false},
		{"room mention with power", `{"type":"m.room.message","sender":"@bob:x","content":{"body":"all","m.mentions":{"room":true}}}`, group.with(10, true), RuleIsRoomMention, true, true},
		{"room mention without power", `{"type":"m.room.message","sender":"@bob:x","content":{"body":"all","m.mentions":{"room":true}}}`, group, RuleMessage, true, false},
		{"room mention as a string is not true", `{"type":"m.room.message","sender":"@bob:x","content":{"body":"all","m.mentions":{"room":"true"}}}`, group.with(10, true), RuleMessage, true, false},
		{"invite for me", `{"type":"m.room.member","sender":"@bob:x","state_key":"@alice:example.org","content":{"membership":"invite"}}`, group, RuleInviteForMe, true, false},
		{"invite for someone else", `{"type":"m.room.member","sender":"@bob:x","state_key":"@carol:x","content":{"membership":"invite"}}`, group, RuleMemberEvent, false, false},
		{"join", `{"type":"m.room.member","sender":"@bob:x","state_key":"@bob:x","content":{"membership":"join"}}`, dm, RuleMemberEvent, false, false},
		{"tombstone", `{"type":"m.room.tombstone","sender":"@bob:x","state_key":"","content":{"replacement_room":"!n:x"}}`, group, RuleTombstone, true, true},
		{"tombstone-typed message event", `{"type":"m.room.tombstone","sender":"@bob:x","content":{}}`, group, "", false, false},
		{"reaction", `{"type":"m.reaction","sender":"@bob:x","content":{"m.relates_to":{"rel_type":"m.annotation","event_id":"$e","key":"👍"}}}`, dm, RuleReaction, false, false},
		{"server ACL", `{"type":"m.room.server_acl","sender":"@bob:x","state_key":"","content":{"allow":["*"]}}`, group, RuleServerACL, false, false},
		{"edit", `{"type":"m.room.message","sender":"@bob:x","content":{"body":"* hi","m.relates_to":{"rel_type":"m.replace","event_id":"$e"}}}`, dm, RuleSuppressEdits, false, false},
		{"call", `{"type":"m.call.invite","sender":"@bob:x","content":{}}`, group, RuleCall, true, false},
		{"topic change", `{"type":"m.room.topic","sender":"@bob:x","state_key":"","content":{"topic":"x"}}`, group, "", false, false},
		{"own message", `{"type":"m.room.message","sender":"@alice:example.org","content":{"body":"me"}}`, dm, "", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := evaluatorFor(t, alice, &userRules{})
			o := ev.Evaluate(NewEvent("$e", "!r:x", []byte(tc.event)), tc.room)
			require.Equal(t, tc.rule, o.RuleID)
			require.Equal(t, tc.notify, o.Notify)
			require.Equal(t, tc.highlight, o.Highlight)
		})
	}
}

// TestConditions covers each condition kind against event shapes, through
// a user override rule that notifies when its one condition holds.
func TestConditions(t *testing.T) {
	t.Parallel()
	room := fakeRoom{members: 5, names: map[id.UserID]string{alice: "Alice Liddell"}}
	for _, tc := range []struct {
		name, condition, event string
		want                   bool
	}{
		{"event_match whole value", `{"kind":"event_match","key":"content.topic","pattern":"lunc?*"}`, `{"type":"t","content":{"topic":"Lunch plans"}}`, true},
		{"event_match is case-insensitive", `{"kind":"event_match","key":"content.topic","pattern":"lunc?*"}`, `{"type":"t","content":{"topic":"LUNCH"}}`, true},
		{"event_match leading space", `{"kind":"event_match","key":"content.topic","pattern":"lunc?*"}`, `{"type":"t","content":{"topic":" lunch"}}`, false},
		{"event_match ? needs a character", `{"kind":"event_match","key":"content.topic","pattern":"lunc?*"}`, `{"type":"t","content":{"topic":"lunc"}}`, false},
		{"event_match needs a string", `{"kind":"event_match","key":"content.topic","pattern":"*"}`, `{"type":"t","content":{"topic":null}}`, false},
		{"event_match absent", `{"kind":"event_match","key":"content.topic","pattern":"*"}`, `{"type":"t","content":{}}`, false},
		{"event_match literal is whole", `{"kind":"event_match","key":"type","pattern":"m.room"}`, `{"type":"m.room.message","content":{}}`, false},
		{"event_match literal ignores case", `{"kind":"event_match","key":"type","pattern":"M.ROOM.MESSAGE"}`, `{"type":"m.room.message","content":{}}`, true},
		{"body matches at word boundaries", `{"kind":"event_match","key":"content.body","pattern":"ex*ple"}`, `{"type":"t","content":{"body":"An example event."}}`, true},
		{"body pattern at both ends", `{"kind":"event_match","key":"content.body","pattern":"ex*ple"}`, `{"type":"t","content":{"body":"exple"}}`, true},
		{"body pattern across words", `{"kind":"event_match","key":"content.body","pattern":"ex*ple"}`, `{"type":"t","content":{"body":"An exciting triple-whammy"}}`, true},
		{"body pattern inside a word", `{"kind":"event_match","key":"content.body","pattern":"cake"}`, `{"type":"t","content":{"body":"cupcakes"}}`, false},
		{"body literal word", `{"kind":"event_match","key":"content.body","pattern":"@room"}`, `{"type":"t","content":{"body":"hey @ROOM!"}}`, true},
		{"escaped dot in key", `{"kind":"event_match","key":"content.m\\.key","pattern":"v"}`, `{"type":"t","content":{"m.key":"v"}}`, true},
		{"unescaped dot is a path", `{"kind":"event_match","key":"content.m.key","pattern":"v"}`, `{"type":"t","content":{"m.key":"v"}}`, false},
		{"escaped backslash", `{"kind":"event_match","key":"content.a\\\\b","pattern":"v"}`, `{"type":"t","content":{"a\\b":"v"}}`, true},
		{"room_id key", `{"kind":"event_match","key":"room_id","pattern":"!r:x"}`, `{"type":"t","content":{}}`, true},
		{"property_is true", `{"kind":"event_property_is","key":"content.m\\.federate","value":true}`, `{"type":"t","content":{"m.federate":true}}`, true},
		{"property_is no casting from string", `{"kind":"event_property_is","key":"content.m\\.federate","value":true}`, `{"type":"t","content":{"m.federate":"true"}}`, false},
		{"property_is no casting from number", `{"kind":"event_property_is","key":"content.m\\.federate","value":true}`, `{"type":"t","content":{"m.federate":1}}`, false},
		{"property_is integer", `{"kind":"event_property_is","key":"content.n","value":42}`, `{"type":"t","content":{"n":42}}`, true},
		{"property_is float in event", `{"kind":"event_property_is","key":"content.n","value":42}`, `{"type":"t","content":{"n":42.0}}`, false},
		{"property_is null", `{"kind":"event_property_is","key":"content.n","value":null}`, `{"type":"t","content":{"n":null}}`, true},
		{"property_is null is not absent", `{"kind":"event_property_is","key":"content.n","value":null}`, `{"type":"t","content":{}}`, false},
		{"property_contains", `{"kind":"event_property_contains","key":"content.alt_aliases","value":"#myroom:example.com"}`, `{"type":"t","content":{"alt_aliases":["#a:x","#myroom:example.com"]}}`, true},
		{"property_contains partial", `{"kind":"event_property_contains","key":"content.alt_aliases","value":":example.com"}`, `{"type":"t","content":{"alt_aliases":["#myroom:example.com"]}}`, false},
		{"property_contains not an array", `{"kind":"event_property_contains","key":"content.alt_aliases","value":"x"}`, `{"type":"t","content":{"alt_aliases":"x"}}`, false},
		{"member count equal", `{"kind":"room_member_count","is":"5"}`, `{"type":"t","content":{}}`, true},
		{"member count ==", `{"kind":"room_member_count","is":"==4"}`, `{"type":"t","content":{}}`, false},
		{"member count <", `{"kind":"room_member_count","is":"<6"}`, `{"type":"t","content":{}}`, true},
		{"member count >", `{"kind":"room_member_count","is":">5"}`, `{"type":"t","content":{}}`, false},
		{"member count >=", `{"kind":"room_member_count","is":">=5"}`, `{"type":"t","content":{}}`, true},
		{"member count <=", `{"kind":"room_member_count","is":"<=4"}`, `{"type":"t","content":{}}`, false},
		{"display name", `{"kind":"contains_display_name"}`, `{"type":"t","content":{"body":"ping alice liddell, are you there?"}}`, true},
		{"display name inside a word", `{"kind":"contains_display_name"}`, `{"type":"t","content":{"body":"xAlice Liddell"}}`, false},
		{"display name absent", `{"kind":"contains_display_name"}`, `{"type":"t","content":{"body":"ping Alice"}}`, false},
		{"sender permission", `{"kind":"sender_notification_permission","key":"room"}`, `{"type":"t","content":{}}`, false},
		{"unknown condition never matches", `{"kind":"org.example.always"}`, `{"type":"t","content":{}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := &userRules{}
			r, err := ParseRuleBody(KindOverride, "test", []byte(`{"actions":["notify",{"set_tweak":"x","value":7}],"conditions":[`+tc.condition+`]}`))
			require.NoError(t, err)
			require.NoError(t, u.put(KindOverride, r, "", ""))
			ev := evaluatorFor(t, alice, u)
			o := ev.Evaluate(NewEvent("$e", "!r:x", []byte(`{"sender":"@bob:x",`+tc.event[1:])), room)
			require.Equal(t, tc.want, o.RuleID == "test", "matched %q", o.RuleID)
			if tc.want {
				require.JSONEq(t, `{"x":7}`, string(mustJSON(t, o.Tweaks())))
			}
		})
	}
}

// TestKindsAndOrder: content, room and sender rules, disabled rules, and
// which rule wins.
func TestKindsAndOrder(t *testing.T) {
	t.Parallel()
	put := func(t *testing.T, u *userRules, k Kind, id, body string) {
		r, err := ParseRuleBody(k, id, []byte(body))
		require.NoError(t, err)
		require.NoError(t, u.put(k, r, "", ""))
	}
	msg := `{"type":"m.room.message","sender":"@bob:x","content":{"body":"It's time for tea"}}`
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, u *userRules)
		rule  string
	}{
		{"content rule", func(t *testing.T, u *userRules) {
			put(t, u, KindContent, "tea", `{"actions":["notify"],"pattern":"tea"}`)
		}, "tea"},
		{"first content rule wins", func(t *testing.T, u *userRules) {
			put(t, u, KindContent, "tea", `{"actions":["notify"],"pattern":"tea"}`)
			put(t, u, KindContent, "time", `{"actions":["notify"],"pattern":"TIME"}`)
		}, "time"},
		{"room rule", func(t *testing.T, u *userRules) { put(t, u, KindRoom, "!r:x", `{"actions":[]}`) }, "!r:x"},
		{"other room's rule", func(t *testing.T, u *userRules) { put(t, u, KindRoom, "!other:x", `{"actions":[]}`) }, RuleMessage},
		{"sender rule", func(t *testing.T, u *userRules) { put(t, u, KindSender, "@bob:x", `{"actions":[]}`) }, "@bob:x"},
		{"content beats room", func(t *testing.T, u *userRules) {
			put(t, u, KindRoom, "!r:x", `{"actions":[]}`)
			put(t, u, KindContent, "tea", `{"actions":["notify"],"pattern":"tea"}`)
		}, "tea"},
		{"disabled rules never match", func(t *testing.T, u *userRules) {
			put(t, u, KindRoom, "!r:x", `{"actions":[]}`)
			require.NoError(t, u.setEnabled(alice, KindRoom, "!r:x", false))
		}, RuleMessage},
		{"master rule beats user overrides", func(t *testing.T, u *userRules) {
			put(t, u, KindOverride, "all", `{"actions":["notify"]}`)
			require.NoError(t, u.setEnabled(alice, KindOverride, RuleMaster, true))
		}, RuleMaster},
		{"user underride comes before default underrides", func(t *testing.T, u *userRules) {
			put(t, u, KindUnderride, "quiet", `{"actions":[],"conditions":[{"kind":"event_match","key":"type","pattern":"m.room.*"}]}`)
		}, "quiet"},
		{"disabled default falls through", func(t *testing.T, u *userRules) {
			require.NoError(t, u.setEnabled(alice, KindUnderride, RuleMessage, false))
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := &userRules{}
			tc.setup(t, u)
			o := evaluatorFor(t, alice, u).Evaluate(NewEvent("$e", "!r:x", []byte(msg)), fakeRoom{members: 5})
			require.Equal(t, tc.rule, o.RuleID)
		})
	}
}

// TestSharedEventMemo: evaluating one event for many users with different
// rules gives each their own answer, though conditions are remembered.
func TestSharedEventMemo(t *testing.T) {
	t.Parallel()
	e := NewEvent("$e", "!r:x", []byte(`{"type":"m.room.message","sender":"@bob:x","content":{"body":"hi","m.mentions":{"user_ids":["@u1:x"]}}}`))
	room := fakeRoom{members: 10}
	for i, want := range []bool{false, true, false} {
		user := id.UserID("@u" + string(rune('0'+i)) + ":x")
		o := evaluatorFor(t, user, &userRules{}).Evaluate(e, room)
		require.Equal(t, want, o.Highlight, user)
		require.True(t, o.Notify)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
