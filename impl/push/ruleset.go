package push

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// Ruleset is a user's push rules: the server-default rules merged with the
// user's own, per kind, in the order they are checked.
type Ruleset struct {
	kinds [len(Kinds)][]Rule
}

// Kind returns the rules of one kind in the order they are checked.
func (rs *Ruleset) Kind(k Kind) []Rule { return rs.kinds[kindIndex(k)] }

// Find returns the rule of a kind with an ID, and false when there is none.
func (rs *Ruleset) Find(k Kind, ruleID string) (Rule, bool) {
	for _, r := range rs.Kind(k) {
		if r.ID == ruleID {
			return r, true
		}
	}
	return Rule{}, false
}

// GlobalJSON is the ruleset as GET /pushrules/global/ answers it:
// {"override": [...], "content": [...], ...}.
func (rs *Ruleset) GlobalJSON() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range Kinds {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `%q:[`, k)
		for j, r := range rs.kinds[i] {
			if j > 0 {
				b.WriteByte(',')
			}
			enc, _ := r.MarshalJSON()
			b.Write(enc)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.Bytes()
}

// JSON is the ruleset as GET /pushrules/ answers it and as the m.push_rules
// account data carries it: {"global": {...}}.
func (rs *Ruleset) JSON() []byte {
	g := rs.GlobalJSON()
	out := make([]byte, 0, len(g)+12)
	out = append(out, `{"global":`...)
	out = append(out, g...)
	return append(out, '}')
}

func kindIndex(k Kind) int {
	for i, kk := range Kinds {
		if kk == k {
			return i
		}
	}
	panic("push: unknown kind " + string(k)) // kinds are parsed at the edge
}

// userRules is what a user changed, stored as one JSON document per user:
// their own rules per kind, most important first, and their changes to
// server-default rules (keyed "kind/rule_id").
type userRules struct {
	Rules    map[Kind][]Rule          `json:"rules,omitempty"`
	Defaults map[string]defaultChange `json:"defaults,omitempty"`
}

// defaultChange is a user's change to a server-default rule.
type defaultChange struct {
	Enabled *bool           `json:"enabled,omitempty"`
	Actions json.RawMessage `json:"actions,omitempty"`
}

func decodeUserRules(b []byte) (*userRules, error) {
	u := &userRules{}
	if len(b) == 0 {
		return u, nil
	}
	if err := json.Unmarshal(b, u); err != nil {
		return nil, fmt.Errorf("decode stored push rules: %w", err)
	}
	return u, nil
}

func (u *userRules) encode() ([]byte, error) {
	return json.Marshal(u)
}

// merge builds the user's ruleset: the master rule first, then per kind
// the user's rules before the server's (v1.19: user-defined rules take
// precedence over server-default ones of their kind, but for the master
// rule).
func (u *userRules) merge(user id.UserID) (*Ruleset, error) {
	defaults := defaultsFor(user)
	rs := &Ruleset{}
	for i, k := range Kinds {
		d := defaults[k]
		for j := range d {
			if err := u.applyDefault(k, &d[j]); err != nil {
				return nil, err
			}
		}
		var out []Rule
		if k == KindOverride && len(d) > 0 && d[0].ID == RuleMaster {
			out = append(out, d[0])
			d = d[1:]
		}
		out = append(out, u.Rules[k]...)
		out = append(out, d...)
		if out == nil {
			out = []Rule{}
		}
		rs.kinds[i] = out
	}
	return rs, nil
}

func (u *userRules) applyDefault(k Kind, r *Rule) error {
	c, ok := u.Defaults[string(k)+"/"+r.ID]
	if !ok {
		return nil
	}
	if c.Enabled != nil {
		r.Enabled = *c.Enabled
	}
	if c.Actions != nil {
		var raw []json.RawMessage
		if err := json.Unmarshal(c.Actions, &raw); err != nil {
			return fmt.Errorf("decode stored actions of %s: %w", r.ID, err)
		}
		actions, err := parseActions(raw)
		if err != nil {
			return err
		}
		r.Actions = actions
	}
	return nil
}

var errRuleNotFound = mxerr.New(mxerr.NotFound, "The push rule was not found.")

// isDefault tells whether a server-default rule of kind has ruleID.
func isDefault(user id.UserID, k Kind, ruleID string) bool {
	return slices.ContainsFunc(Defaults(user)[k], func(r Rule) bool { return r.ID == ruleID })
}

// put adds or replaces a user-defined rule. A new rule goes first among
// the user's rules of its kind unless before or after place it; an updated
// one keeps its place (and its enabled flag) unless they move it. before
// wins when both are given. They must name user-defined rules of the kind.
func (u *userRules) put(k Kind, r Rule, before, after string) error {
	rules := slices.Clone(u.Rules[k])
	at := slices.IndexFunc(rules, func(x Rule) bool { return x.ID == r.ID })
	if at >= 0 {
		r.Enabled = rules[at].Enabled
		if before == "" && after == "" {
			rules[at] = r
			u.setRules(k, rules)
			return nil
		}
		rules = slices.Delete(rules, at, at+1)
	}
	pos := 0
	anchor, below := before, false
	if anchor == "" && after != "" {
		anchor, below = after, true
	}
	if anchor != "" {
		if len(anchor) > 0 && anchor[0] == '.' {
			return mxerr.New(mxerr.InvalidParam, "rules cannot be placed relative to server-default rules")
		}
		i := slices.IndexFunc(rules, func(x Rule) bool { return x.ID == anchor })
		if i < 0 {
			return mxerr.New(mxerr.Unknown, "before/after rule not found: %s", anchor).WithStatus(400)
		}
		pos = i
		if below {
			pos = i + 1
		}
	}
	u.setRules(k, slices.Insert(rules, pos, r))
	return nil
}

func (u *userRules) setRules(k Kind, rules []Rule) {
	if u.Rules == nil {
		u.Rules = map[Kind][]Rule{}
	}
	if len(rules) == 0 {
		delete(u.Rules, k)
		return
	}
	u.Rules[k] = rules
}

// remove deletes a user-defined rule. Server-default rules cannot be
// deleted (M_INVALID_PARAM); unknown rules are M_NOT_FOUND.
func (u *userRules) remove(user id.UserID, k Kind, ruleID string) error {
	if isDefault(user, k, ruleID) {
		return mxerr.New(mxerr.InvalidParam, "server-default rules cannot be deleted; disable %s instead", ruleID)
	}
	rules := u.Rules[k]
	i := slices.IndexFunc(rules, func(x Rule) bool { return x.ID == ruleID })
	if i < 0 {
		return errRuleNotFound
	}
	u.setRules(k, slices.Delete(slices.Clone(rules), i, i+1))
	return nil
}

// setEnabled enables or disables a rule, user-defined or server-default.
func (u *userRules) setEnabled(user id.UserID, k Kind, ruleID string, enabled bool) error {
	return u.change(user, k, ruleID, func(r *Rule, c *defaultChange) {
		if r != nil {
			r.Enabled = enabled
		} else {
			c.Enabled = &enabled
		}
	})
}

// setActions replaces a rule's actions, user-defined or server-default.
func (u *userRules) setActions(user id.UserID, k Kind, ruleID string, actions []Action) error {
	var b bytes.Buffer
	writeActions(&b, actions)
	return u.change(user, k, ruleID, func(r *Rule, c *defaultChange) {
		if r != nil {
			r.Actions = actions
		} else {
			c.Actions = b.Bytes()
		}
	})
}

// change applies fn to a user-defined rule (r set) or to the user's change
// of a server-default rule (c set).
func (u *userRules) change(user id.UserID, k Kind, ruleID string, fn func(r *Rule, c *defaultChange)) error {
	if isDefault(user, k, ruleID) {
		key := string(k) + "/" + ruleID
		c := u.Defaults[key]
		fn(nil, &c)
		if u.Defaults == nil {
			u.Defaults = map[string]defaultChange{}
		}
		u.Defaults[key] = c
		return nil
	}
	rules := slices.Clone(u.Rules[k])
	i := slices.IndexFunc(rules, func(x Rule) bool { return x.ID == ruleID })
	if i < 0 {
		return errRuleNotFound
	}
	fn(&rules[i], nil)
	u.setRules(k, rules)
	return nil
}
