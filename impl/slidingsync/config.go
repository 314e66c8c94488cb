package slidingsync

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"maunium.net/go/mautrix/event"

	"github.com/hearth-hs/hearth/impl/rooms/state"
)

// StateMatch matches state keys: a type and a state key, either of which
// may match anything.
type StateMatch struct {
	Type, StateKey  string
	AnyType, AnyKey bool
}

func (m StateMatch) matches(k state.Key) bool {
	return (m.AnyType || m.Type == k.Type) && (m.AnyKey || m.StateKey == k.StateKey)
}

// RequiredState is the state a room config asks for.
type RequiredState struct {
	Include []StateMatch
	// Exclude removes state Include would send (never lazily loaded
	// members).
	Exclude []StateMatch
	// LazyMembers sends the member events of the timeline's senders and
	// targets.
	LazyMembers bool
}

// combined is the room config of a room that several lists and
// subscriptions match: the longest timeline and every state any of them
// asks for.
type combined struct {
	timelineLimit int
	states        []RequiredState
	lists         []string
	k             string // key, once worked out
}

func (c *combined) add(rc RoomConfig) {
	c.k = ""
	c.timelineLimit = max(c.timelineLimit, min(rc.TimelineLimit, maxTimelineLimit))
	c.states = append(c.states, rc.RequiredState)
}

// wants tells whether the state key is asked for, lazily loaded members
// aside.
func (c *combined) wants(k state.Key) bool {
	for _, rs := range c.states {
		if slices.ContainsFunc(rs.Include, func(m StateMatch) bool { return m.matches(k) }) &&
			!slices.ContainsFunc(rs.Exclude, func(m StateMatch) bool { return m.matches(k) }) {
			return true
		}
	}
	return false
}

// lazy tells whether members are lazily loaded: some config asks for it,
// and none asks for every member anyway.
func (c *combined) lazy() bool {
	for _, rs := range c.states {
		if rs.LazyMembers {
			return !c.allMembers()
		}
	}
	return false
}

// allMembers tells whether some config sends every member event.
func (c *combined) allMembers() bool {
	for _, rs := range c.states {
		for _, m := range rs.Include {
			if (m.AnyType || m.Type == event.StateMember.Type) && m.AnyKey {
				return true
			}
		}
	}
	return false
}

// key identifies the combined state config, to tell when it changed.
func (c *combined) key() string {
	if c.k == "" {
		c.k = c.computeKey()
	}
	return c.k
}

func (c *combined) computeKey() string {
	var parts []string
	for _, rs := range c.states {
		for _, m := range rs.Include {
			parts = append(parts, "+"+matchString(m))
		}
		for _, m := range rs.Exclude {
			parts = append(parts, "-"+matchString(m))
		}
		if rs.LazyMembers {
			parts = append(parts, "lazy")
		}
	}
	slices.Sort(parts)
	parts = slices.Compact(parts)
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:8])
}

func matchString(m StateMatch) string {
	t, k := m.Type, m.StateKey
	if m.AnyType {
		t = "*"
	}
	if m.AnyKey {
		k = "*"
	}
	return t + "\x01" + k
}
