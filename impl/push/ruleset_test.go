package push

import (
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

func idsOf(rules []Rule) []string {
	out := []string{}
	for _, r := range rules {
		out = append(out, r.ID)
	}
	return out
}

// TestPutPlacement: new rules go first, before/after place them next to
// user-defined rules, updates keep their place and enabled flag.
func TestPutPlacement(t *testing.T) {
	t.Parallel()
	rule := func(id string) Rule {
		r, err := ParseRuleBody(KindContent, id, []byte(`{"actions":["notify"],"pattern":"`+id+`"}`))
		require.NoError(t, err)
		return r
	}
	for _, tc := range []struct {
		name          string
		id            string
		before, after string
		want          []string
		errcode       string
	}{
		{name: "new rule goes first", id: "d", want: []string{"d", "a", "b", "c"}},
		{name: "before places above", id: "d", before: "b", want: []string{"a", "d", "b", "c"}},
		{name: "after places below", id: "d", after: "b", want: []string{"a", "b", "d", "c"}},
		{name: "after the last", id: "d", after: "c", want: []string{"a", "b", "c", "d"}},
		{name: "before wins over after", id: "d", before: "a", after: "c", want: []string{"d", "a", "b", "c"}},
		{name: "update keeps its place", id: "b", want: []string{"a", "b", "c"}},
		{name: "update moves with after", id: "a", after: "c", want: []string{"b", "c", "a"}},
		{name: "unknown anchor", id: "d", before: "zzz", errcode: mxerr.Unknown},
		{name: "anchor on itself", id: "a", before: "a", errcode: mxerr.Unknown},
		{name: "server-default anchor", id: "d", after: ".m.rule.master", errcode: mxerr.InvalidParam},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := &userRules{}
			for _, id := range []string{"c", "b", "a"} {
				require.NoError(t, u.put(KindContent, rule(id), "", ""))
			}
			require.NoError(t, u.setEnabled("@u:x", KindContent, "b", false))
			err := u.put(KindContent, rule(tc.id), tc.before, tc.after)
			require.Equal(t, tc.errcode, mxerr.CodeOf(err))
			if tc.errcode != "" {
				require.Equal(t, 400, mxerr.As(err).HTTPStatus())
				require.Equal(t, []string{"a", "b", "c"}, idsOf(u.Rules[KindContent]), "a refused put changes nothing")
				return
			}
			require.Equal(t, tc.want, idsOf(u.Rules[KindContent]))
			for _, r := range u.Rules[KindContent] {
				require.Equal(t, r.ID != "b", r.Enabled, r.ID)
			}
		})
	}
}

// TestRuleEdits: deleting, enabling and changing actions of user and
// server-default rules.
func TestRuleEdits(t *testing.T) {
	t.Parallel()
	user := id.UserID("@alice:example.org")
	for _, tc := range []struct {
		name    string
		edit    func(u *userRules) error
		errcode string
	}{
		{"delete a user rule", func(u *userRules) error { return u.remove(user, KindSender, "@bob:x") }, ""},
		{"delete a server-default rule is refused", func(u *userRules) error { return u.remove(user, KindUnderride, RuleMessage) }, mxerr.InvalidParam},
		{"delete an unknown rule", func(u *userRules) error { return u.remove(user, KindOverride, "nope") }, mxerr.NotFound},
		{"delete in the wrong kind", func(u *userRules) error { return u.remove(user, KindRoom, "@bob:x") }, mxerr.NotFound},
		{"disable a server-default rule", func(u *userRules) error { return u.setEnabled(user, KindOverride, RuleReaction, false) }, ""},
		{"enable an unknown rule", func(u *userRules) error { return u.setEnabled(user, KindOverride, ".m.rule.nope", true) }, mxerr.NotFound},
		{"actions of a server-default rule", func(u *userRules) error { return u.setActions(user, KindUnderride, RuleMessage, nil) }, ""},
		{"actions of an unknown rule", func(u *userRules) error { return u.setActions(user, KindContent, "x", nil) }, mxerr.NotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := &userRules{}
			r, err := ParseRuleBody(KindSender, "@bob:x", []byte(`{"actions":[]}`))
			require.NoError(t, err)
			require.NoError(t, u.put(KindSender, r, "", ""))
			require.Equal(t, tc.errcode, mxerr.CodeOf(tc.edit(u)))
		})
	}
}

// TestParseRuleBody: what PUT accepts and refuses.
func TestParseRuleBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, kind, id, body, errcode string
	}{
		{"override with conditions", "override", "r", `{"actions":["notify"],"conditions":[{"kind":"event_match","key":"type","pattern":"m.*"}]}`, ""},
		{"override without conditions matches everything", "override", "r", `{"actions":["notify"]}`, ""},
		{"unknown condition kinds are kept", "underride", "r", `{"actions":[],"conditions":[{"kind":"org.example.future"}]}`, ""},
		{"null is a value", "override", "r", `{"actions":[],"conditions":[{"kind":"event_property_is","key":"content.x","value":null}]}`, ""},
		{"historical actions are dropped", "override", "r", `{"actions":["dont_notify","coalesce"]}`, ""},
		{"content rule", "content", "r", `{"actions":["notify"],"pattern":"cake*lie"}`, ""},
		{"room rule", "room", "!room:x", `{"actions":[]}`, ""},
		{"sender rule", "sender", "@bob:x", `{"actions":[]}`, ""},
		{"dot rule IDs are reserved", "override", ".m.rule.mine", `{"actions":[]}`, mxerr.InvalidParam},
		{"slashes are refused", "override", "a/b", `{"actions":[]}`, mxerr.InvalidParam},
		{"backslashes are refused", "override", `a\b`, `{"actions":[]}`, mxerr.InvalidParam},
		{"room rule named by a room ID", "room", "notaroom", `{"actions":[]}`, mxerr.InvalidParam},
		{"sender rule named by a user ID", "sender", "bob", `{"actions":[]}`, mxerr.InvalidParam},
		{"content rule without pattern", "content", "r", `{"actions":["notify"]}`, mxerr.MissingParam},
		{"no actions", "override", "r", `{"conditions":[]}`, mxerr.MissingParam},
		{"unknown action", "override", "r", `{"actions":["explode"]}`, mxerr.InvalidParam},
		{"tweak without a name", "override", "r", `{"actions":[{"value":1}]}`, mxerr.InvalidParam},
		{"condition without kind", "override", "r", `{"actions":[],"conditions":[{"key":"type"}]}`, mxerr.InvalidParam},
		{"condition not an object", "override", "r", `{"actions":[],"conditions":["type"]}`, mxerr.InvalidParam},
		{"event_match without pattern", "override", "r", `{"actions":[],"conditions":[{"kind":"event_match","key":"type"}]}`, mxerr.InvalidParam},
		{"event_match without key", "override", "r", `{"actions":[],"conditions":[{"kind":"event_match","pattern":"x"}]}`, mxerr.InvalidParam},
		{"property_is without value", "override", "r", `{"actions":[],"conditions":[{"kind":"event_property_is","key":"content.x"}]}`, mxerr.InvalidParam},
		{"property_is with an object", "override", "r", `{"actions":[],"conditions":[{"kind":"event_property_is","key":"content.x","value":{}}]}`, mxerr.InvalidParam},
		{"property_is with a float", "override", "r", `{"actions":[],"conditions":[{"kind":"event_property_is","key":"content.x","value":1.5}]}`, mxerr.InvalidParam},
		{"property_is beyond canonical integers", "override", "r", `{"actions":[],"conditions":[{"kind":"event_property_contains","key":"content.x","value":9007199254740992}]}`, mxerr.InvalidParam},
		{"member count that is no count", "override", "r", `{"actions":[],"conditions":[{"kind":"room_member_count","is":"lots"}]}`, mxerr.InvalidParam},
		{"member count without is", "override", "r", `{"actions":[],"conditions":[{"kind":"room_member_count"}]}`, mxerr.InvalidParam},
		{"notification permission without key", "override", "r", `{"actions":[],"conditions":[{"kind":"sender_notification_permission"}]}`, mxerr.InvalidParam},
		{"not an object", "override", "r", `["notify"]`, mxerr.BadJSON},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseRuleBody(Kind(tc.kind), tc.id, []byte(tc.body))
			require.Equal(t, tc.errcode, mxerr.CodeOf(err), "%v", err)
		})
	}
}
