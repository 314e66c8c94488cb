package push

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// Kind is one of the five kinds of push rules.
type Kind string

// The kinds, in the order rules are checked (v1.19 client-server, push
// rules).
const (
	KindOverride  Kind = "override"
	KindContent   Kind = "content"
	KindRoom      Kind = "room"
	KindSender    Kind = "sender"
	KindUnderride Kind = "underride"
)

// Kinds are the kinds in the order rules are checked.
var Kinds = [...]Kind{KindOverride, KindContent, KindRoom, KindSender, KindUnderride}

// ParseKind reads a kind from a request path: M_INVALID_PARAM when it is
// none of the five.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", mxerr.New(mxerr.InvalidParam, "unknown push rule kind %q", s)
}

// hasConditions tells whether rules of the kind carry conditions (override
// and underride); the others have predefined ones.
func (k Kind) hasConditions() bool { return k == KindOverride || k == KindUnderride }

// Condition kinds defined by v1.19.
const (
	CondEventMatch               = "event_match"
	CondEventPropertyIs          = "event_property_is"
	CondEventPropertyContains    = "event_property_contains"
	CondContainsDisplayName      = "contains_display_name"
	CondRoomMemberCount          = "room_member_count"
	CondSenderNotificationPermit = "sender_notification_permission"
)

// Rule is one push rule, as clients see it.
type Rule struct {
	ID      string
	Default bool
	Enabled bool
	// Conditions are an override or underride rule's conditions (an empty
	// list always matches); nil for other kinds.
	Conditions []Condition
	// Pattern is a content rule's glob; nil for other kinds.
	Pattern *string
	Actions []Action
}

// Condition is one condition of an override or underride rule: the bytes
// the client sent, and the fields evaluation reads from them.
type Condition struct {
	Kind    string
	Key     string
	Pattern string
	Is      string
	// Value is an event_property_* condition's value as JSON.
	Value json.RawMessage
	// Raw is the condition as stored and shown to clients.
	Raw json.RawMessage
}

// Action is one action of a rule: notify, or a tweak to set.
type Action struct {
	Notify bool
	// Tweak names the tweak a set_tweak action sets; Value is its JSON
	// value, nil when absent (a highlight tweak without a value is true).
	Tweak string
	Value json.RawMessage
	// Raw is the action as stored and shown to clients.
	Raw json.RawMessage
}

// MarshalJSON writes the rule as the push rules API shows it.
func (r Rule) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"rule_id":`)
	writeString(&b, r.ID)
	fmt.Fprintf(&b, `,"default":%t,"enabled":%t,"actions":`, r.Default, r.Enabled)
	writeActions(&b, r.Actions)
	if r.Conditions != nil {
		b.WriteString(`,"conditions":[`)
		for i, c := range r.Conditions {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(c.Raw)
		}
		b.WriteByte(']')
	}
	if r.Pattern != nil {
		b.WriteString(`,"pattern":`)
		writeString(&b, *r.Pattern)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a rule as MarshalJSON wrote it (the stored form).
func (r *Rule) UnmarshalJSON(b []byte) error {
	var raw struct {
		ID         string            `json:"rule_id"`
		Default    bool              `json:"default"`
		Enabled    bool              `json:"enabled"`
		Actions    []json.RawMessage `json:"actions"`
		Conditions []json.RawMessage `json:"conditions"`
		Pattern    *string           `json:"pattern"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*r = Rule{ID: raw.ID, Default: raw.Default, Enabled: raw.Enabled, Pattern: raw.Pattern}
	var err error
	if r.Actions, err = parseActions(raw.Actions); err != nil {
		return err
	}
	if raw.Conditions != nil {
		r.Conditions = make([]Condition, 0, len(raw.Conditions))
		for _, c := range raw.Conditions {
			cond, err := parseCondition(c)
			if err != nil {
				return err
			}
			r.Conditions = append(r.Conditions, cond)
		}
	}
	return nil
}

func writeActions(b *bytes.Buffer, actions []Action) {
	b.WriteByte('[')
	for i, a := range actions {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(a.Raw)
	}
	b.WriteByte(']')
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}

// CheckRuleID refuses rule IDs a client may not create: empty ones, those
// starting with a dot (reserved for server-default rules), and those with
// slashes or backslashes (v1.19 client-server, PUT /pushrules). Room and
// sender rules are named by the room or user they apply to.
func CheckRuleID(kind Kind, ruleID string) error {
	switch {
	case ruleID == "":
		return mxerr.New(mxerr.InvalidParam, "a push rule needs an ID")
	case strings.HasPrefix(ruleID, "."):
		return mxerr.New(mxerr.InvalidParam, "rule IDs starting with a dot are reserved for server-default rules")
	case strings.ContainsAny(ruleID, `/\`):
		return mxerr.New(mxerr.InvalidParam, "rule IDs may not contain slashes or backslashes")
	case kind == KindRoom && !strings.HasPrefix(ruleID, "!"):
		return mxerr.New(mxerr.InvalidParam, "a room rule's ID is the room's ID")
	case kind == KindSender && (!strings.HasPrefix(ruleID, "@") || !strings.Contains(ruleID, ":")):
		return mxerr.New(mxerr.InvalidParam, "a sender rule's ID is the sender's user ID")
	}
	return nil
}

// ParseRuleBody reads the body of PUT /pushrules/global/{kind}/{ruleId}
// ({"actions", "conditions", "pattern"}) into an enabled, user-defined
// rule. Bad actions and malformed conditions are M_INVALID_PARAM; a
// content rule without a pattern is M_MISSING_PARAM.
func ParseRuleBody(kind Kind, ruleID string, body []byte) (Rule, error) {
	if err := CheckRuleID(kind, ruleID); err != nil {
		return Rule{}, err
	}
	if !gjson.ValidBytes(body) {
		return Rule{}, mxerr.New(mxerr.NotJSON, "the body is not JSON")
	}
	var in struct {
		Actions    []json.RawMessage `json:"actions"`
		Conditions []json.RawMessage `json:"conditions"`
		Pattern    json.RawMessage   `json:"pattern"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return Rule{}, mxerr.New(mxerr.BadJSON, "a push rule is {\"actions\": [...], \"conditions\": [...], \"pattern\": \"...\"}")
	}
	if in.Actions == nil {
		return Rule{}, mxerr.New(mxerr.MissingParam, "a push rule needs actions")
	}
	r := Rule{ID: ruleID, Enabled: true}
	var err error
	if r.Actions, err = ParseActions(in.Actions); err != nil {
		return Rule{}, err
	}
	switch kind {
	case KindOverride, KindUnderride:
		r.Conditions = make([]Condition, 0, len(in.Conditions))
		for _, raw := range in.Conditions {
			c, err := parseCondition(raw)
			if err != nil {
				return Rule{}, err
			}
			r.Conditions = append(r.Conditions, c)
		}
	case KindContent:
		var p string
		if in.Pattern == nil || json.Unmarshal(in.Pattern, &p) != nil {
			return Rule{}, mxerr.New(mxerr.MissingParam, "a content rule needs a pattern")
		}
		r.Pattern = &p
	}
	return r, nil
}

// ParseActions reads a rule's actions as a client sends them: "notify",
// and {"set_tweak": name, "value": ...} objects. The historical
// "dont_notify" and "coalesce" are dropped, as v1.19 asks; anything else is
// M_INVALID_PARAM.
func ParseActions(raw []json.RawMessage) ([]Action, error) {
	out := make([]Action, 0, len(raw))
	for _, r := range raw {
		v := gjson.ParseBytes(r)
		switch {
		case v.Type == gjson.String && v.Str == "notify":
			out = append(out, Action{Notify: true, Raw: json.RawMessage(`"notify"`)})
		case v.Type == gjson.String && (v.Str == "dont_notify" || v.Str == "coalesce"):
		case v.IsObject() && v.Get("set_tweak").Type == gjson.String && v.Get("set_tweak").Str != "":
			a := Action{Tweak: v.Get("set_tweak").Str, Raw: compact(r)}
			if val := v.Get("value"); val.Exists() {
				a.Value = json.RawMessage(val.Raw)
			}
			out = append(out, a)
		default:
			return nil, mxerr.New(mxerr.InvalidParam, "unknown push rule action %s", truncate(string(r)))
		}
	}
	return out, nil
}

// parseActions reads stored actions, which ParseActions checked.
func parseActions(raw []json.RawMessage) ([]Action, error) {
	return ParseActions(raw)
}

var memberCountIs = regexp.MustCompile(`^(==|<=|>=|<|>)?([0-9]+)$`)

// parseCondition reads and checks one condition. Conditions of kinds v1.19
// does not define are kept (they never match); those it defines must carry
// their parameters.
func parseCondition(raw json.RawMessage) (Condition, error) {
	v := gjson.ParseBytes(raw)
	if !v.IsObject() || v.Get("kind").Type != gjson.String {
		return Condition{}, mxerr.New(mxerr.InvalidParam, "a push condition is an object with a kind: %s", truncate(string(raw)))
	}
	c := Condition{Kind: v.Get("kind").Str, Raw: compact(raw)}
	str := func(name string) (string, error) {
		f := v.Get(name)
		if f.Type != gjson.String {
			return "", mxerr.New(mxerr.InvalidParam, "%s condition needs a string %s", c.Kind, name)
		}
		return f.Str, nil
	}
	var err error
	switch c.Kind {
	case CondEventMatch:
		if c.Key, err = str("key"); err != nil {
			return Condition{}, err
		}
		if c.Pattern, err = str("pattern"); err != nil {
			return Condition{}, err
		}
	case CondEventPropertyIs, CondEventPropertyContains:
		if c.Key, err = str("key"); err != nil {
			return Condition{}, err
		}
		val := v.Get("value")
		if !val.Exists() || !scalarValue(val) {
			return Condition{}, mxerr.New(mxerr.InvalidParam, "%s condition needs a value: a string, an integer, a boolean or null", c.Kind)
		}
		c.Value = json.RawMessage(val.Raw)
	case CondRoomMemberCount:
		if c.Is, err = str("is"); err != nil {
			return Condition{}, err
		}
		if !memberCountIs.MatchString(c.Is) {
			return Condition{}, mxerr.New(mxerr.InvalidParam, "room_member_count condition: %q is not a count with an optional ==, <, >, <= or >=", c.Is)
		}
	case CondSenderNotificationPermit:
		if c.Key, err = str("key"); err != nil {
			return Condition{}, err
		}
	}
	if c.Key != "" {
		if _, err := parsePath(c.Key); err != nil && c.Kind != CondSenderNotificationPermit {
			return Condition{}, err
		}
	}
	return c, nil
}

// maxSafeInt bounds the integers canonical JSON allows: ±(2^53 - 1).
const maxSafeInt = 1<<53 - 1

// scalarValue tells whether v is a value event_property_* conditions
// compare: a string, an integer in canonical JSON's range, a boolean or
// null.
func scalarValue(v gjson.Result) bool {
	switch v.Type {
	case gjson.String, gjson.True, gjson.False, gjson.Null:
		return true
	case gjson.Number:
		_, ok := canonicalInt(v)
		return ok
	}
	return false
}

// canonicalInt reads an integer as canonical JSON writes them.
func canonicalInt(v gjson.Result) (int64, bool) {
	if v.Type != gjson.Number || strings.ContainsAny(v.Raw, ".eE+") {
		return 0, false
	}
	n := v.Int()
	if n > maxSafeInt || n < -maxSafeInt {
		return 0, false
	}
	return n, true
}

func compact(raw []byte) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return json.RawMessage(raw)
	}
	return b.Bytes()
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
