package push

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/id"
)

// Event is an event as push rules read it. Build it once per event with
// NewEvent and evaluate it for every recipient: what the conditions find in
// it is remembered, so that a thousand users' rules cost little more than
// one user's. It is not safe for concurrent use.
type Event struct {
	ID       id.EventID
	RoomID   id.RoomID
	Type     string
	Sender   id.UserID
	StateKey *string
	// ThreadID is the root of the thread the event is in ("" for the main
	// timeline).
	ThreadID id.EventID

	root      gjson.Result
	content   gjson.Result
	body      string
	hasBody   bool
	bodyLower string
	lowered   bool
	// props holds the properties conditions read, by path number (see
	// pathNumber): a thousand users' rules read a handful of paths, each
	// parsed out of the event once.
	props []prop
	// memo holds the results of shared conditions (0 unknown, 1 false, 2
	// true), by slot: every condition but contains_display_name depends on
	// the event and its room alone.
	memo [memoSlots + 1]uint8
}

type prop struct {
	v    gjson.Result
	read bool
}

// paths numbers the property paths rules read, so that events keep what
// they found in a slice rather than a map. Paths come from rules; past a
// bound, new ones go unnumbered (read each time).
var paths = struct {
	sync.RWMutex
	n map[string]int
}{n: map[string]int{}}

const maxPaths = 4096

func pathNumber(path string) int {
	paths.RLock()
	n, ok := paths.n[path]
	paths.RUnlock()
	if ok {
		return n
	}
	paths.Lock()
	defer paths.Unlock()
	if n, ok := paths.n[path]; ok {
		return n
	}
	if len(paths.n) >= maxPaths {
		return -1
	}
	n = len(paths.n)
	paths.n[path] = n
	return n
}

// NewEvent reads an event's properties from its JSON (a PDU or a client
// event: the fields rules look at are the same). The top level is read in
// one pass: a PDU's hashes, signatures and references are skipped once.
func NewEvent(evID id.EventID, room id.RoomID, raw []byte) *Event {
	e := &Event{ID: evID, RoomID: room, root: gjson.ParseBytes(raw)}
	e.root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "type":
			e.Type = v.Str
		case "sender":
			e.Sender = id.UserID(v.Str)
		case "state_key":
			s := v.Str
			e.StateKey = &s
		case "content":
			e.content = v
		}
		return true
	})
	if b := e.content.Get("body"); b.Type == gjson.String {
		e.body, e.hasBody = b.Str, true
	}
	if rel := e.content.Get(`m\.relates_to`); rel.Get("rel_type").Str == "m.thread" {
		e.ThreadID = id.EventID(rel.Get("event_id").Str)
	}
	return e
}

func (e *Event) lowerBody() string {
	if !e.lowered {
		e.bodyLower, e.lowered = strings.ToLower(e.body), true
	}
	return e.bodyLower
}

// property reads a property by gjson path, numbered n (-1: none). room_id
// comes from the event's room: a room version 12 create event's PDU has
// none.
func (e *Event) property(path string, n int) gjson.Result {
	if n >= 0 && n < len(e.props) && e.props[n].read {
		return e.props[n].v
	}
	var v gjson.Result
	switch {
	case path == "room_id":
		v = gjson.Result{Type: gjson.String, Str: string(e.RoomID), Raw: strconv.Quote(string(e.RoomID))}
	case path == "type":
		v = gjson.Result{Type: gjson.String, Str: e.Type, Raw: strconv.Quote(e.Type)}
	case path == "state_key":
		if e.StateKey != nil {
			v = gjson.Result{Type: gjson.String, Str: *e.StateKey, Raw: strconv.Quote(*e.StateKey)}
		}
	case strings.HasPrefix(path, "content."):
		v = e.content.Get(path[len("content."):])
	default:
		v = e.root.Get(path)
	}
	if n >= 0 {
		if n >= len(e.props) {
			e.props = append(e.props, make([]prop, n+1-len(e.props))...)
		}
		e.props[n] = prop{v: v, read: true}
	}
	return v
}

// Room answers what conditions ask of the room an event was sent in.
// Implementations may load lazily (and report their errors after the
// evaluation): conditions ask only when rules reach them.
type Room interface {
	// MemberCount is the number of joined members.
	MemberCount() int
	// SenderMayNotify tells whether the event's sender has the power level
	// the room's power levels require for the notification key (room).
	SenderMayNotify(key string) bool
	// DisplayName is a member's display name in the room ("" for none).
	DisplayName(user id.UserID) string
}

// Outcome is what a user's rules decided for an event.
type Outcome struct {
	// RuleID and Kind name the rule that matched; RuleID is "" when none
	// did.
	RuleID string
	Kind   Kind
	// Notify and Highlight are the actions' meaning: notify, and the
	// highlight tweak (true when set without a value).
	Notify, Highlight bool
	// Actions are the matched rule's actions, for the gateway's tweaks and
	// the notifications API.
	Actions []Action
}

// Tweaks are the set_tweak actions as the push gateway receives them:
// name to value, true where a tweak has no value.
func (o Outcome) Tweaks() map[string]json.RawMessage {
	t := map[string]json.RawMessage{}
	for _, a := range o.Actions {
		if a.Tweak == "" {
			continue
		}
		if a.Value == nil {
			t[a.Tweak] = json.RawMessage("true")
		} else {
			t[a.Tweak] = a.Value
		}
	}
	return t
}

// Evaluator is a user's ruleset compiled for evaluation. It is immutable
// and safe for concurrent use.
//
// hearth evaluates rules itself rather than through mautrix-go's pushrules:
// that package turns non-string values into strings for event_match (v1.19
// matches strings only), compiles every glob and content pattern again at
// each evaluation and reads content through a decoded map. Measured on a
// room of 1,000 members (BenchmarkEvaluate), it costs 30 to 60 times as
// much per event as the compiled, shared conditions here (4-10µs against
// 0.1-0.26µs per member on an idle two-core machine).
type Evaluator struct {
	user  id.UserID
	rules []compiledRule
	// usesDisplayName tells whether some enabled rule asks for the user's
	// display name, which callers then load.
	usesDisplayName bool
}

type compiledRule struct {
	id      string
	kind    Kind
	roomID  id.RoomID    // room rules
	sender  id.UserID    // sender rules
	pattern *glob        // content rules
	conds   []*condition // override and underride rules
	outcome Outcome
}

type condition struct {
	// slot numbers the condition's result in Event.memo (0: none).
	slot   int
	kind   string
	path   string
	pathNo int
	glob   *glob
	// body is an event_match on content.body, matched at word boundaries.
	body  bool
	value gjson.Result // event_property_*
	op    string       // room_member_count
	count int
	plKey string // sender_notification_permission
	// unknown conditions never match (v1.19: unrecognised conditions
	// disable their rule).
	unknown bool
}

// Compile compiles a user's ruleset. Disabled rules are left out.
func Compile(user id.UserID, rs *Ruleset) *Evaluator {
	ev := &Evaluator{user: user}
	for _, k := range Kinds {
		for _, r := range rs.Kind(k) {
			if !r.Enabled {
				continue
			}
			cr := compiledRule{id: r.ID, kind: k, outcome: outcomeOf(r, k)}
			switch k {
			case KindRoom:
				cr.roomID = id.RoomID(r.ID)
			case KindSender:
				cr.sender = id.UserID(r.ID)
			case KindContent:
				p := ""
				if r.Pattern != nil {
					p = *r.Pattern
				}
				cr.pattern = compileGlob(p, true)
			default:
				for _, c := range r.Conditions {
					cc := internCondition(c)
					if cc.kind == CondContainsDisplayName {
						ev.usesDisplayName = true
					}
					cr.conds = append(cr.conds, cc)
				}
			}
			ev.rules = append(ev.rules, cr)
		}
	}
	return ev
}

// UsesDisplayName tells whether evaluating asks Room.DisplayName.
func (ev *Evaluator) UsesDisplayName() bool { return ev.usesDisplayName }

func outcomeOf(r Rule, k Kind) Outcome {
	o := Outcome{RuleID: r.ID, Kind: k, Actions: r.Actions}
	for _, a := range r.Actions {
		switch {
		case a.Notify:
			o.Notify = true
		case a.Tweak == "highlight":
			o.Highlight = a.Value == nil || gjson.ParseBytes(a.Value).Type == gjson.True
		}
	}
	return o
}

// conditions holds compiled conditions by their bytes, shared by every
// ruleset that has them: the default rules' conditions are compiled once
// for all users, and the first memoSlots of them are numbered so that an
// event remembers their results across users. Past a bound, conditions
// compile per ruleset.
var conditions = struct {
	sync.RWMutex
	m map[string]*condition
}{m: map[string]*condition{}}

const (
	maxConditions = 50000
	// memoSlots is how many shared conditions an event remembers results
	// of: the default rules' and the commonest user rules' (the first
	// compiled).
	memoSlots = 256
)

func internCondition(c Condition) *condition {
	key := string(c.Raw)
	conditions.RLock()
	cc := conditions.m[key]
	conditions.RUnlock()
	if cc != nil {
		return cc
	}
	conditions.Lock()
	defer conditions.Unlock()
	if cc := conditions.m[key]; cc != nil {
		return cc
	}
	cc = compileCondition(c)
	if len(conditions.m) >= maxConditions {
		return cc
	}
	// contains_display_name depends on the user: it is never remembered.
	if n := len(conditions.m); n < memoSlots && cc.kind != CondContainsDisplayName {
		cc.slot = n + 1
	}
	conditions.m[key] = cc
	return cc
}

func compileCondition(c Condition) *condition {
	cc := &condition{kind: c.Kind, pathNo: -1}
	switch c.Kind {
	case CondEventMatch:
		cc.path, _ = parsePath(c.Key)
		cc.pathNo = pathNumber(cc.path)
		cc.body = cc.path == "content.body"
		cc.glob = compileGlob(c.Pattern, cc.body)
	case CondEventPropertyIs, CondEventPropertyContains:
		cc.path, _ = parsePath(c.Key)
		cc.pathNo = pathNumber(cc.path)
		cc.value = gjson.ParseBytes(c.Value)
	case CondRoomMemberCount:
		m := memberCountIs.FindStringSubmatch(c.Is)
		if m == nil {
			cc.unknown = true
			break
		}
		cc.op = m[1]
		n, err := strconv.Atoi(m[2])
		if err != nil {
			cc.unknown = true
		}
		cc.count = n
	case CondSenderNotificationPermit:
		cc.plKey = c.Key
	case CondContainsDisplayName:
	default:
		cc.unknown = true
	}
	return cc
}

// Evaluate runs the user's rules over e, the first rule that matches
// deciding. A user's own events never notify them (v1.19: homeservers must
// not notify for events users sent themselves): the outcome is then empty.
func (ev *Evaluator) Evaluate(e *Event, room Room) Outcome {
	if e.Sender == ev.user {
		return Outcome{}
	}
	for i := range ev.rules {
		r := &ev.rules[i]
		if ev.matches(r, e, room) {
			return r.outcome
		}
	}
	return Outcome{}
}

func (ev *Evaluator) matches(r *compiledRule, e *Event, room Room) bool {
	switch r.kind {
	case KindRoom:
		return r.roomID == e.RoomID
	case KindSender:
		return r.sender == e.Sender
	case KindContent:
		return e.hasBody && r.pattern.match(e.body, e.lowerBody())
	}
	for _, c := range r.conds {
		if !ev.holds(c, e, room) {
			return false
		}
	}
	return true
}

// holds evaluates one condition, or recalls its result for the event.
func (ev *Evaluator) holds(c *condition, e *Event, room Room) bool {
	if c.slot == 0 {
		return ev.eval(c, e, room)
	}
	switch e.memo[c.slot] {
	case 1:
		return false
	case 2:
		return true
	}
	res := ev.eval(c, e, room)
	e.memo[c.slot] = 1
	if res {
		e.memo[c.slot] = 2
	}
	return res
}

func (ev *Evaluator) eval(c *condition, e *Event, room Room) bool {
	if c.unknown {
		return false
	}
	switch c.kind {
	case CondContainsDisplayName:
		name := room.DisplayName(ev.user)
		return name != "" && e.hasBody && containsWord(e.lowerBody(), strings.ToLower(name))
	case CondEventMatch:
		if c.body {
			return e.hasBody && c.glob.match(e.body, e.lowerBody())
		}
		v := e.property(c.path, c.pathNo)
		if v.Type != gjson.String {
			return false
		}
		if c.glob.isLit {
			return strings.EqualFold(v.Str, c.glob.literal)
		}
		return c.glob.match(v.Str, "")
	case CondEventPropertyIs:
		return sameScalar(e.property(c.path, c.pathNo), c.value)
	case CondEventPropertyContains:
		v := e.property(c.path, c.pathNo)
		if !v.IsArray() {
			return false
		}
		found := false
		v.ForEach(func(_, item gjson.Result) bool {
			found = sameScalar(item, c.value)
			return !found
		})
		return found
	case CondRoomMemberCount:
		n := room.MemberCount()
		switch c.op {
		case "", "==":
			return n == c.count
		case "<":
			return n < c.count
		case ">":
			return n > c.count
		case "<=":
			return n <= c.count
		case ">=":
			return n >= c.count
		}
	case CondSenderNotificationPermit:
		return room.SenderMayNotify(c.plKey)
	}
	return false
}

// sameScalar compares two JSON values exactly, as event_property_is does:
// strings, canonical integers, booleans and null, never across types.
func sameScalar(a, b gjson.Result) bool {
	// A missing property reads as a null Result: only present ones compare.
	if !a.Exists() || a.Type != b.Type {
		return false
	}
	switch a.Type {
	case gjson.String:
		return a.Str == b.Str
	case gjson.Number:
		x, ok1 := canonicalInt(a)
		y, ok2 := canonicalInt(b)
		return ok1 && ok2 && x == y
	case gjson.True, gjson.False, gjson.Null:
		return true
	}
	return false
}
