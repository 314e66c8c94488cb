package directory

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

func TestChildOrder(t *testing.T) {
	t.Parallel()
	child := func(room string, ts int64, content string) SpaceChild {
		return SpaceChild{Room: id.RoomID(room), OriginServerTS: ts, Content: json.RawMessage(content)}
	}
	children := []SpaceChild{
		child("!z:x", 1, `{"via":["x"]}`),
		child("!y:x", 5, `{"via":["x"],"order":"b"}`),
		child("!c:x", 1, `{"via":["x"],"order":"a"}`),
		child("!a:x", 1, `{"via":["x"],"order":"a"}`),
		child("!b:x", 0, `{"via":["x"],"order":"`+strings.Repeat("a", 51)+`"}`), // too long: none
		child("!d:x", 2, `{"via":["x"],"order":"\u0007"}`),                      // not printable: none
		child("!e:x", 0, `{"via":["x"],"order":7}`),                             // not a string: none
		child("!f:x", 1, `{"via":["x"],"order":"B"}`),
	}
	slices.SortFunc(children, func(a, b SpaceChild) int { return childKeyOf(a).compare(childKeyOf(b)) })
	var got []id.RoomID
	for _, c := range children {
		got = append(got, c.Room)
	}
	// Orders compare by code point: "B" before "a".
	require.Equal(t, []id.RoomID{"!f:x", "!a:x", "!c:x", "!y:x", "!b:x", "!e:x", "!z:x", "!d:x"}, got)
}

func TestMayPeek(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		version       id.RoomVersion
		joinRule      string
		history       string
		membership    event.Membership
		joinedAllowed bool
		want          bool
	}{
		{"invite only, joined", id.RoomV11, "invite", "shared", event.MembershipJoin, false, true},
		{"invite only, invited", id.RoomV11, "invite", "shared", event.MembershipInvite, false, true},
		{"invite only, left", id.RoomV11, "invite", "shared", event.MembershipLeave, false, false},
		{"invite only, knocking", id.RoomV11, "invite", "shared", event.MembershipKnock, false, false},
		{"invite only, a stranger", id.RoomV11, "invite", "shared", "", false, false},
		{"public", id.RoomV11, "public", "shared", "", false, true},
		{"public, banned", id.RoomV11, "public", "world_readable", event.MembershipBan, false, false},
		{"world readable", id.RoomV11, "invite", "world_readable", "", false, true},
		{"knock", id.RoomV11, "knock", "shared", "", false, true},
		{"knock where the version has no knocking", id.RoomV6, "knock", "shared", "", false, false},
		{"knock_restricted", id.RoomV11, "knock_restricted", "shared", "", false, true},
		{"knock_restricted where the version has none", id.RoomV9, "knock_restricted", "shared", "", false, false},
		{"restricted, joined to an allowed room", id.RoomV11, "restricted", "shared", "", true, true},
		{"restricted, joined to no allowed room", id.RoomV11, "restricted", "shared", "", false, false},
		{"restricted where the version has none", id.RoomV7, "restricted", "shared", "", true, false},
		{"no join rules", id.RoomV11, "", "", "", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sum := &Summary{Version: tc.version, JoinRule: tc.joinRule, HistoryVisibility: tc.history}
			require.Equal(t, tc.want, mayPeek(sum, tc.membership, tc.joinedAllowed))
		})
	}
}

func TestHierarchyTokens(t *testing.T) {
	t.Parallel()
	tok := hierarchyToken{root: rootTag("!space:x"), suggested: true, maxDepth: 3, index: 3, last: "!b:x|odd"}
	parsed, err := parseHierarchyToken(tok.String())
	require.NoError(t, err)
	require.Equal(t, tok, parsed)
	require.Equal(t, tok.String(), parsed.String(), "the same place, the same token")

	for _, bad := range []string{"", "!!!", "eA", tok.String()[1:], "aDF8eHw", "aDJ8YWJjfDB8M3wyfCFiOng"} {
		_, err := parseHierarchyToken(bad)
		require.Equal(t, mxerr.InvalidParam, mxerr.CodeOf(err), bad)
	}

	order := []id.RoomID{"!s:x", "!a:x", "!b:x|odd", "!c:x"}
	require.Equal(t, 0, hierarchyToken{}.resume(order))
	require.Equal(t, 3, tok.resume(order), "unchanged")
	require.Equal(t, 4, tok.resume(slices.Insert(slices.Clone(order), 1, "!new:x")), "after the last room, which moved")
	require.Equal(t, 2, tok.resume([]id.RoomID{"!s:x", "!a:x", "!c:x"}), "where the last room was, when it went")
	require.Equal(t, 0, tok.resume(nil))
}
