package filter_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

func TestGlob(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"m.room.message", "m.room.message", true},
		{"m.room.message", "m.room.messages", false},
		{"m.room.*", "m.room.message", true},
		{"m.room.*", "m.room.", true},
		{"m.room.*", "m.roo", false},
		{"*", "", true},
		{"*", "anything", true},
		{"*.message", "m.room.message", true},
		{"*.message", "m.room.messages", false},
		{"m.*.member", "m.room.member", true},
		{"m.*.member", "m.member", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "acb", false},
		{"a*a", "a", false},
		{"m.room.?", "m.room.x", false},
		{"m.room.%", "m.room.x", false},
	} {
		t.Run(tc.pattern+" "+tc.s, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, filter.Glob(tc.pattern, tc.s))
		})
	}
}

func parse(t *testing.T, s string) *filter.RoomEventFilter {
	t.Helper()
	f, err := filter.ParseRoomEventFilter([]byte(s))
	require.NoError(t, err)
	return f
}

func TestRoomEventFilterMatch(t *testing.T) {
	t.Parallel()
	alice, bob := id.UserID("@alice:hs"), id.UserID("@bob:hs")
	room, other := id.RoomID("!a:hs"), id.RoomID("!b:hs")
	msg := filter.Fields{Room: room, Sender: alice, Type: "m.room.message"}
	withURL := filter.Fields{Room: room, Sender: bob, Type: "m.room.message", HasURL: true}
	member := filter.Fields{Room: room, Sender: bob, Type: "m.room.member"}
	for _, tc := range []struct {
		name, filter string
		ev           filter.Fields
		want         bool
	}{
		{"empty filter keeps everything", `{}`, member, true},
		{"types keeps a listed type", `{"types":["m.room.message"]}`, msg, true},
		{"types drops an unlisted type", `{"types":["m.room.message"]}`, member, false},
		{"an empty types list keeps nothing", `{"types":[]}`, msg, false},
		{"types wildcard", `{"types":["m.room.*"]}`, member, true},
		{"not_types wildcard", `{"not_types":["m.room.mem*"]}`, member, false},
		{"not_types wins over types", `{"types":["*"],"not_types":["m.room.member"]}`, member, false},
		{"senders keeps a listed sender", `{"senders":["@alice:hs"]}`, msg, true},
		{"senders drops others", `{"senders":["@alice:hs"]}`, member, false},
		{"not_senders wins over senders", `{"senders":["@alice:hs"],"not_senders":["@alice:hs"]}`, msg, false},
		{"contains_url true keeps events with a url", `{"contains_url":true}`, withURL, true},
		{"contains_url true drops events without", `{"contains_url":true}`, msg, false},
		{"contains_url false drops events with a url", `{"contains_url":false}`, withURL, false},
		{"contains_url false keeps events without", `{"contains_url":false}`, msg, true},
		{"rooms keeps a listed room", `{"rooms":["!a:hs"]}`, msg, true},
		{"rooms drops others", `{"rooms":["!b:hs"]}`, msg, false},
		{"not_rooms drops", `{"not_rooms":["!a:hs"]}`, msg, false},
		{"unknown fields are ignored", `{"org.example.x":1,"types":["m.room.message"]}`, msg, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, parse(t, tc.filter).Match(tc.ev))
		})
	}
	require.True(t, (*filter.RoomEventFilter)(nil).Match(msg), "no filter keeps everything")
	require.True(t, parse(t, `{"not_rooms":["!a:hs"]}`).MatchRoom(other))
}

func TestHasURL(t *testing.T) {
	t.Parallel()
	require.True(t, filter.HasURL([]byte(`{"url":"mxc://hs/abc"}`)))
	require.False(t, filter.HasURL([]byte(`{"url":7}`)), "only a string url counts")
	require.False(t, filter.HasURL([]byte(`{"body":"x"}`)))
	require.False(t, filter.HasURL([]byte(`{"info":{"url":"mxc://hs/abc"}}`)), "only at the top of content")
}

func TestLimit(t *testing.T) {
	t.Parallel()
	require.Equal(t, 10, (*filter.EventFilter)(nil).LimitOr(10, 100))
	require.Equal(t, 5, parse(t, `{"limit":5}`).LimitOr(10, 100))
	require.Equal(t, 100, parse(t, `{"limit":5000}`).LimitOr(10, 100), "capped")
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, json, code string
	}{
		{"not JSON", `{"types":`, mxerr.BadJSON},
		{"not an object", `["m.room.message"]`, mxerr.BadJSON},
		{"types not a list", `{"types":"m.room.message"}`, mxerr.BadJSON},
		{"types of numbers", `{"types":[1]}`, mxerr.BadJSON},
		{"limit not a number", `{"limit":"ten"}`, mxerr.BadJSON},
		{"contains_url not a boolean", `{"contains_url":"yes"}`, mxerr.BadJSON},
		{"duplicate field", `{"limit":1,"limit":2}`, mxerr.BadJSON},
		{"limit zero", `{"limit":0}`, mxerr.InvalidParam},
		{"limit negative", `{"limit":-3}`, mxerr.InvalidParam},
		{"sender not a user ID", `{"senders":["alice"]}`, mxerr.InvalidParam},
		{"room not a room ID", `{"rooms":["#alias:hs"]}`, mxerr.InvalidParam},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := filter.ParseRoomEventFilter([]byte(tc.json))
			var mx *mxerr.Error
			require.ErrorAs(t, err, &mx)
			require.Equal(t, tc.code, mx.Code, "%v", err)
		})
	}
}

func TestParseWholeFilter(t *testing.T) {
	t.Parallel()
	raw := `{
		"event_fields": ["type", "content.body"],
		"event_format": "federation",
		"presence": {"types": ["m.presence"], "limit": 3},
		"account_data": {"not_types": ["*"]},
		"room": {
			"rooms": ["!a:hs"], "not_rooms": ["!b:hs"], "include_leave": true,
			"timeline": {"limit": 20, "lazy_load_members": true, "include_redundant_members": true, "unread_thread_notifications": true},
			"state": {"types": ["m.room.*"], "lazy_load_members": true},
			"ephemeral": {"not_types": ["m.typing"]},
			"account_data": {"types": ["m.tag"]}
		}
	}`
	f, err := filter.Parse([]byte(raw))
	require.NoError(t, err)
	require.Equal(t, filter.FormatFederation, f.Format())
	require.Equal(t, []string{"type", "content.body"}, f.EventFields)
	require.Equal(t, 3, *f.Presence.Limit)
	require.False(t, f.AccountData.MatchType("m.push_rules"))
	require.True(t, f.Room.IncludeLeave)
	require.True(t, f.Room.MatchRoom("!a:hs"))
	require.False(t, f.Room.MatchRoom("!b:hs"))
	require.Equal(t, 20, f.Room.Timeline.LimitOr(10, 100))
	require.True(t, f.Room.Timeline.LazyLoadMembers && f.Room.Timeline.IncludeRedundantMembers && f.Room.Timeline.UnreadThreadNotifications)
	require.True(t, f.Room.State.MatchType("m.room.name"))
	require.False(t, f.Room.Ephemeral.MatchType("m.typing"))
	require.True(t, f.Room.AccountData.MatchType("m.tag"))

	// It survives a round trip, empty lists included.
	f.Room.Timeline.Types = []string{}
	b, err := json.Marshal(f)
	require.NoError(t, err)
	again, err := filter.Parse(b)
	require.NoError(t, err)
	require.Equal(t, f, again)
	require.False(t, again.Room.Timeline.MatchType("m.room.message"), "an empty list stays empty")

	require.Equal(t, filter.FormatClient, (&filter.Filter{}).Format())
	_, err = filter.Parse([]byte(`{"event_format":"xml"}`))
	require.ErrorContains(t, err, "event_format")
	_, err = filter.Parse([]byte(`{"room":{"timeline":{"limit":0}}}`))
	require.Error(t, err)

	generated := map[string]any{"room": map[string]any{"timeline": map[string]any{"limit": 7}}}
	f, err = filter.FromValue(generated)
	require.NoError(t, err)
	require.Equal(t, 7, *f.Room.Timeline.Limit)
}

func TestIsInline(t *testing.T) {
	t.Parallel()
	require.True(t, filter.IsInline(`{"room":{}}`))
	require.True(t, filter.IsInline(` {}`))
	require.False(t, filter.IsInline("66"))
	require.False(t, filter.IsInline(""))
}
