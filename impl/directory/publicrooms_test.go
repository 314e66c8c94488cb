package directory

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	room := &Summary{RoomID: "!abc:hearth.test", JoinedMembers: 42}
	for _, tc := range []struct {
		name     string
		backward bool
	}{{"forward", false}, {"backward", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseToken(token{backward: tc.backward}.at(room))
			require.NoError(t, err)
			require.Equal(t, token{backward: tc.backward, joined: 42, room: "!abc:hearth.test"}, got)
		})
	}
	for _, tc := range []struct{ name, in string }{
		{"unknown direction", "x" + token{}.at(room)[1:]},
		{"not base64", "n!!!"},
		{"no separator", "n" + "MTI"},
		{"negative count", "nLTF8IWE6Yg"},
		{"not a room", "nMXxhYmM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseToken(tc.in)
			require.Equal(t, mxerr.InvalidParam, mxerr.CodeOf(err))
		})
	}
}

func TestFilterOf(t *testing.T) {
	t.Parallel()
	space := "m.space"
	for _, tc := range []struct {
		name string
		q    Query
		want filter
	}{
		{"nothing", Query{}, filter{types: []string{}}},
		{"search term, lower case, trimmed", Query{Search: "  Tea PARTY "}, filter{search: "tea party", types: []string{}}},
		{"rooms without a type", Query{RoomTypes: []*string{nil}}, filter{byType: true, untyped: true, types: []string{}}},
		{"spaces", Query{RoomTypes: []*string{&space}}, filter{byType: true, types: []string{"m.space"}}},
		{"an empty list keeps nothing", Query{RoomTypes: []*string{}}, filter{byType: true, types: []string{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, filterOf(tc.q))
		})
	}
}

func TestSummarise(t *testing.T) {
	t.Parallel()
	content := func(js string) gjson.Result { return gjson.Parse(js) }
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		name  string
		state map[string]gjson.Result
		check func(t *testing.T, p db.SummaryUpsertParams)
	}{
		{"empty room", nil, func(t *testing.T, p db.SummaryUpsertParams) {
			require.Nil(t, p.Name)
			require.Nil(t, p.JoinRule)
			require.Equal(t, []string{}, p.AllowedRoomIds)
		}},
		{"text/plain topic from m.topic", map[string]gjson.Result{"m.room.topic": content(
			`{"topic":"fallback","m.topic":{"m.text":[{"mimetype":"text/html","body":"<b>bold</b>"},{"body":"plain"}]}}`)},
			func(t *testing.T, p db.SummaryUpsertParams) { require.Equal(t, str("plain"), p.Topic) }},
		{"topic field without m.topic", map[string]gjson.Result{"m.room.topic": content(`{"topic":"old style"}`)},
			func(t *testing.T, p db.SummaryUpsertParams) { require.Equal(t, str("old style"), p.Topic) }},
		{"html-only m.topic falls back", map[string]gjson.Result{"m.room.topic": content(
			`{"topic":"fallback","m.topic":{"m.text":[{"mimetype":"text/html","body":"<i>x</i>"}]}}`)},
			func(t *testing.T, p db.SummaryUpsertParams) { require.Equal(t, str("fallback"), p.Topic) }},
		{"a name that is not a string", map[string]gjson.Result{"m.room.name": content(`{"name":5}`)},
			func(t *testing.T, p db.SummaryUpsertParams) { require.Nil(t, p.Name) }},
		{"restricted rooms name the allowed rooms", map[string]gjson.Result{"m.room.join_rules": content(
			`{"join_rule":"restricted","allow":[{"type":"m.room_membership","room_id":"!a:x"},{"type":"other","room_id":"!b:x"}]}`)},
			func(t *testing.T, p db.SummaryUpsertParams) { require.Equal(t, []string{"!a:x"}, p.AllowedRoomIds) }},
		{"public rooms allow nothing", map[string]gjson.Result{"m.room.join_rules": content(
			`{"join_rule":"public","allow":[{"type":"m.room_membership","room_id":"!a:x"}]}`)},
			func(t *testing.T, p db.SummaryUpsertParams) { require.Equal(t, []string{}, p.AllowedRoomIds) }},
		{"room type and encryption", map[string]gjson.Result{
			"m.room.create":     content(`{"type":"m.space","room_version":"11"}`),
			"m.room.encryption": content(`{"algorithm":"m.megolm.v1.aes-sha2"}`)},
			func(t *testing.T, p db.SummaryUpsertParams) {
				require.Equal(t, str("m.space"), p.RoomType)
				require.Equal(t, str("m.megolm.v1.aes-sha2"), p.Encryption)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.check(t, summarise(db.SummaryStaleRow{RoomNid: 1, SnapshotNid: 2, JoinedMembers: 3}, tc.state))
		})
	}
}
