package push

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/id"
)

// TestDefaultRuleset pins the server-default rules of v1.19: their kinds,
// order, enabled flags, conditions and actions, as the API shows them.
func TestDefaultRuleset(t *testing.T) {
	t.Parallel()
	u := &userRules{}
	rs, err := u.merge("@alice:example.org")
	require.NoError(t, err)
	var got map[string]map[string][]map[string]any
	require.NoError(t, json.Unmarshal(rs.JSON(), &got))
	ids := func(k string) []string {
		var out []string
		for _, r := range got["global"][k] {
			out = append(out, r["rule_id"].(string))
			require.Equal(t, true, r["default"], r["rule_id"])
			require.Equal(t, r["rule_id"] != RuleMaster, r["enabled"], r["rule_id"])
		}
		return out
	}
	require.Equal(t, []string{
		RuleMaster, RuleSuppressNotices, RuleInviteForMe, RuleMemberEvent, RuleIsUserMention, RuleIsRoomMention,
		RuleTombstone, RuleReaction, RuleServerACL, RuleSuppressEdits,
	}, ids("override"))
	require.Empty(t, ids("content"))
	require.Empty(t, ids("room"))
	require.Empty(t, ids("sender"))
	require.Equal(t, []string{RuleCall, RuleEncryptedRoomOneToOne, RuleRoomOneToOne, RuleMessage, RuleEncrypted}, ids("underride"))

	for _, tc := range []struct {
		kind, rule, conditions, actions string
	}{
		{"override", RuleMaster, `[]`, `[]`},
		{"override", RuleSuppressNotices, `[{"kind":"event_match","key":"content.msgtype","pattern":"m.notice"}]`, `[]`},
		{"override", RuleInviteForMe, `[{"kind":"event_match","key":"type","pattern":"m.room.member"},
			{"kind":"event_match","key":"content.membership","pattern":"invite"},
			{"kind":"event_match","key":"state_key","pattern":"@alice:example.org"}]`,
			`["notify",{"set_tweak":"sound","value":"default"}]`},
		{"override", RuleMemberEvent, `[{"kind":"event_match","key":"type","pattern":"m.room.member"}]`, `[]`},
		{"override", RuleIsUserMention, `[{"kind":"event_property_contains","key":"content.m\\.mentions.user_ids","value":"@alice:example.org"}]`,
			`["notify",{"set_tweak":"sound","value":"default"},{"set_tweak":"highlight"}]`},
		{"override", RuleIsRoomMention, `[{"kind":"event_property_is","key":"content.m\\.mentions.room","value":true},
			{"kind":"sender_notification_permission","key":"room"}]`, `["notify",{"set_tweak":"highlight"}]`},
		{"override", RuleTombstone, `[{"kind":"event_match","key":"type","pattern":"m.room.tombstone"},
			{"kind":"event_match","key":"state_key","pattern":""}]`, `["notify",{"set_tweak":"highlight"}]`},
		{"override", RuleReaction, `[{"kind":"event_match","key":"type","pattern":"m.reaction"}]`, `[]`},
		{"override", RuleServerACL, `[{"kind":"event_match","key":"type","pattern":"m.room.server_acl"},
			{"kind":"event_match","key":"state_key","pattern":""}]`, `[]`},
		{"override", RuleSuppressEdits, `[{"kind":"event_property_is","key":"content.m\\.relates_to.rel_type","value":"m.replace"}]`, `[]`},
		{"underride", RuleCall, `[{"kind":"event_match","key":"type","pattern":"m.call.invite"}]`, `["notify",{"set_tweak":"sound","value":"ring"}]`},
		{"underride", RuleEncryptedRoomOneToOne, `[{"kind":"room_member_count","is":"2"},{"kind":"event_match","key":"type","pattern":"m.room.encrypted"}]`,
			`["notify",{"set_tweak":"sound","value":"default"}]`},
		{"underride", RuleRoomOneToOne, `[{"kind":"room_member_count","is":"2"},{"kind":"event_match","key":"type","pattern":"m.room.message"}]`,
			`["notify",{"set_tweak":"sound","value":"default"}]`},
		{"underride", RuleMessage, `[{"kind":"event_match","key":"type","pattern":"m.room.message"}]`, `["notify"]`},
		{"underride", RuleEncrypted, `[{"kind":"event_match","key":"type","pattern":"m.room.encrypted"}]`, `["notify"]`},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			t.Parallel()
			r, ok := rs.Find(Kind(tc.kind), tc.rule)
			require.True(t, ok)
			enc, err := r.MarshalJSON()
			require.NoError(t, err)
			var rule map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(enc, &rule))
			require.JSONEq(t, tc.conditions, string(rule["conditions"]))
			require.JSONEq(t, tc.actions, string(rule["actions"]))
		})
	}
}

// TestUserRulesMerge: user rules of a kind come before the server's, the
// master rule before everything, and changes to defaults apply.
func TestUserRulesMerge(t *testing.T) {
	t.Parallel()
	user := id.UserID("@alice:example.org")
	u := &userRules{}
	mine, err := ParseRuleBody(KindOverride, "mine", []byte(`{"actions":["notify"],"conditions":[]}`))
	require.NoError(t, err)
	require.NoError(t, u.put(KindOverride, mine, "", ""))
	under, err := ParseRuleBody(KindUnderride, "low", []byte(`{"actions":[]}`))
	require.NoError(t, err)
	require.NoError(t, u.put(KindUnderride, under, "", ""))
	require.NoError(t, u.setEnabled(user, KindOverride, RuleMaster, true))
	require.NoError(t, u.setActions(user, KindUnderride, RuleMessage, []Action{action(`"notify"`), action(`{"set_tweak":"sound","value":"x"}`)}))

	// Through its stored form, as the database keeps it.
	doc, err := u.encode()
	require.NoError(t, err)
	u, err = decodeUserRules(doc)
	require.NoError(t, err)
	rs, err := u.merge(user)
	require.NoError(t, err)

	over := rs.Kind(KindOverride)
	require.Equal(t, RuleMaster, over[0].ID)
	require.True(t, over[0].Enabled)
	require.Equal(t, "mine", over[1].ID)
	require.False(t, over[1].Default)
	require.Equal(t, RuleSuppressNotices, over[2].ID)
	require.Equal(t, "low", rs.Kind(KindUnderride)[0].ID)
	msg, ok := rs.Find(KindUnderride, RuleMessage)
	require.True(t, ok)
	require.Len(t, msg.Actions, 2)
	require.Equal(t, "sound", msg.Actions[1].Tweak)
}
