package timeline

import (
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"

	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/stream"
)

func TestBounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                  string
		forward               bool
		from, to              stream.Pos
		hasFrom, hasTo        bool
		until                 stream.Pos
		wantCursor, wantBound stream.Pos
	}{
		{"backwards from the end", false, 0, 0, false, false, noBound, noBound, 0},
		{"backwards from a token", false, 40, 0, true, false, noBound, 40, 0},
		{"backwards down to a token", false, 40, 10, true, true, noBound, 40, 10},
		{"backwards from after a leave starts at the leave", false, 40, 0, true, false, 30, 30, 0},
		{"backwards from the end of one who left", false, 0, 0, false, false, 30, 30, 0},
		{"forwards from the start", true, 0, 0, false, false, noBound, 0, noBound},
		{"forwards from a token up to a token", true, 10, 40, true, true, noBound, 10, 40},
		{"forwards stops at a leave", true, 10, 0, true, false, 30, 10, 30},
		{"forwards to a token past a leave stops at the leave", true, 10, 40, true, true, 30, 10, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cursor, bound := bounds(tc.forward, tc.from, tc.to, tc.hasFrom, tc.hasTo, tc.until)
			require.Equal(t, tc.wantCursor, cursor)
			require.Equal(t, tc.wantBound, bound)
		})
	}
}

func TestLikePattern(t *testing.T) {
	t.Parallel()
	for glob, want := range map[string]string{
		"m.room.message": "m.room.message",
		"m.room.*":       "m.room.%",
		"*":              "%",
		"a_b":            `a\_b`,
		"100%":           `100\%`,
		`back\slash*`:    `back\\slash%`,
	} {
		require.Equal(t, want, likePattern(glob), glob)
	}
}

func TestSQLFilter(t *testing.T) {
	t.Parallel()
	sf := sqlFilterOf(nil)
	require.False(t, sf.filterTypes || sf.filterSenders)
	require.NotNil(t, sf.types, "never nil: NULL arrays would match nothing")
	require.NotNil(t, sf.notSenders)

	f, err := filter.ParseRoomEventFilter([]byte(`{"types":[],"not_types":["m.room.*"],"senders":["@a:hs"]}`))
	require.NoError(t, err)
	sf = sqlFilterOf(f)
	require.True(t, sf.filterTypes, "an empty types list is a filter that keeps nothing")
	require.Empty(t, sf.types)
	require.Equal(t, []string{"m.room.%"}, sf.notTypes)
	require.True(t, sf.filterSenders)
	require.Equal(t, []string{"@a:hs"}, sf.senders)
}

func TestMaySee(t *testing.T) {
	t.Parallel()
	joined := &access{membership: event.MembershipJoin, wasJoined: true}
	left := &access{membership: event.MembershipLeave, wasJoined: true}
	never := &access{membership: event.MembershipLeave}
	for _, tc := range []struct {
		name       string
		visibility string
		at         event.Membership
		reader     *access
		want       bool
	}{
		{"world_readable for anyone", "world_readable", event.MembershipLeave, never, true},
		{"members at the time", "joined", event.MembershipJoin, left, true},
		{"joined hides what came before the join", "joined", event.MembershipLeave, joined, false},
		{"joined hides history from invitees", "joined", event.MembershipInvite, joined, false},
		{"invited shows history to invitees", "invited", event.MembershipInvite, joined, true},
		{"invited hides what came before the invite", "invited", event.MembershipLeave, joined, false},
		{"shared shows the past to members", "shared", event.MembershipLeave, joined, true},
		{"shared shows the past to members who left", "shared", event.MembershipLeave, left, true},
		{"shared is not for those who never joined", "shared", event.MembershipLeave, never, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, maySee(seenAt{visibility: tc.visibility, membership: tc.at}, tc.reader))
		})
	}
}

func TestParseTokenAndLimit(t *testing.T) {
	t.Parallel()
	p, ok, err := parseToken("")
	require.NoError(t, err)
	require.False(t, ok)
	require.Zero(t, p)
	p, ok, err = parseToken("s42")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, stream.Pos(42), p)
	for _, bad := range []string{"42", "s", "sx", "s-1", "t42_1"} {
		_, _, err := parseToken(bad)
		require.Error(t, err, bad)
	}

	n, err := pageLimit(nil, 10)
	require.NoError(t, err)
	require.Equal(t, 10, n)
	big := 5000
	n, err = pageLimit(&big, 10)
	require.NoError(t, err)
	require.Equal(t, maxLimit, n)
	neg := -1
	_, err = pageLimit(&neg, 10)
	require.Error(t, err)
}
