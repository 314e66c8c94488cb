package mxid_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
)

func TestParseUserID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, errcode string }{
		{"plain", "@alice:example.org", ""},
		{"with port", "@alice:example.org:8448", ""},
		{"historical localpart accepted", "@Alice:example.org", ""},
		{"missing sigil", "alice:example.org", mxerr.InvalidParam},
		{"missing server", "@alice", mxerr.InvalidParam},
		{"bad server", "@alice:exa mple.org", mxerr.InvalidParam},
		{"too long", "@" + strings.Repeat("a", 250) + ":example.org", mxerr.InvalidParam},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := mxid.ParseUserID(tc.in)
			require.Equal(t, tc.errcode, mxerr.CodeOf(err))
		})
	}
}

func TestParseRoomAndEventIDs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		parse   func(string) error
		in      string
		errcode string
	}{
		{"room with server", roomErr, "!abc:example.org", ""},
		{"room v12 without server", roomErr, "!abcdefABCDEF0123456789abcdefABCDEF0123456789a", ""},
		{"room without opaque part", roomErr, "!:example.org", mxerr.InvalidParam},
		{"room with wrong sigil", roomErr, "#abc:example.org", mxerr.InvalidParam},
		{"event v4 with slash-free url-safe base64", eventErr, "$abc_-DEF", ""},
		{"event v1 with server", eventErr, "$abc:example.org", ""},
		{"event empty", eventErr, "$", mxerr.InvalidParam},
		{"alias", aliasErr, "#room:example.org", ""},
		{"alias without server", aliasErr, "#room", mxerr.InvalidParam},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.errcode, mxerr.CodeOf(tc.parse(tc.in)))
		})
	}
}

func roomErr(s string) error  { _, err := mxid.ParseRoomID(s); return err }
func eventErr(s string) error { _, err := mxid.ParseEventID(s); return err }
func aliasErr(s string) error { _, err := mxid.ParseRoomAlias(s); return err }

func TestNewUserID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, localpart, errcode string }{
		{"lower case and symbols", "alice.b-c=d_e/f+g", ""},
		{"upper case refused", "Alice", mxerr.InvalidUsername},
		{"space refused", "al ice", mxerr.InvalidUsername},
		{"empty refused", "", mxerr.InvalidUsername},
		{"too long", strings.Repeat("a", 250), mxerr.InvalidUsername},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := mxid.NewUserID(tc.localpart, "example.org")
			require.Equal(t, tc.errcode, mxerr.CodeOf(err))
		})
	}
}

func TestLocalUser(t *testing.T) {
	t.Parallel()
	u, ok := mxid.LocalUser("Alice", "example.org")
	require.True(t, ok)
	require.Equal(t, "@alice:example.org", string(u))
	u, ok = mxid.LocalUser("@alice:example.org", "example.org")
	require.True(t, ok)
	require.Equal(t, "@alice:example.org", string(u))
	_, ok = mxid.LocalUser("@alice:other.org", "example.org")
	require.False(t, ok)
}

func TestRandom(t *testing.T) {
	t.Parallel()
	d := mxid.NewDeviceID()
	require.Len(t, d, 10)
	require.Equal(t, strings.ToUpper(d), d)
	require.Len(t, mxid.NewOpaque(18), 18)
	a, b := mxid.NewSecret(), mxid.NewSecret()
	require.NotEqual(t, a, b)
	require.Len(t, a, 43) // 32 bytes, unpadded base64
}
