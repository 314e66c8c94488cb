package mxid_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
)

func TestParseContentURI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		want     id.ContentURI
		errcode  string
	}{
		{"plain", "mxc://example.org/AQwafuaFswefuhsfAFAgsw", id.ContentURI{Homeserver: "example.org", FileID: "AQwafuaFswefuhsfAFAgsw"}, ""},
		{"server with port", "mxc://example.org:8448/abc", id.ContentURI{Homeserver: "example.org:8448", FileID: "abc"}, ""},
		{"ipv6 literal server", "mxc://[::1]:8448/abc", id.ContentURI{Homeserver: "[::1]:8448", FileID: "abc"}, ""},
		{"underscore and dash in media ID", "mxc://example.org/a_b-c", id.ContentURI{Homeserver: "example.org", FileID: "a_b-c"}, ""},
		{"empty", "", id.ContentURI{}, mxerr.InvalidParam},
		{"wrong scheme", "https://example.org/abc", id.ContentURI{}, mxerr.InvalidParam},
		{"upper-case scheme", "MXC://example.org/abc", id.ContentURI{}, mxerr.InvalidParam},
		{"no media ID", "mxc://example.org/", id.ContentURI{}, mxerr.InvalidParam},
		{"no slash", "mxc://example.org", id.ContentURI{}, mxerr.InvalidParam},
		{"no server", "mxc:///abc", id.ContentURI{}, mxerr.InvalidParam},
		{"bad server", "mxc://exa mple.org/abc", id.ContentURI{}, mxerr.InvalidParam},
		{"path traversal", "mxc://example.org/../etc", id.ContentURI{}, mxerr.InvalidParam},
		{"second path segment", "mxc://example.org/abc/def", id.ContentURI{}, mxerr.InvalidParam},
		{"query", "mxc://example.org/abc?x=1", id.ContentURI{}, mxerr.InvalidParam},
		{"media ID too long", "mxc://example.org/" + strings.Repeat("a", 256), id.ContentURI{}, mxerr.InvalidParam},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := mxid.ParseContentURI(tc.in)
			require.Equal(t, tc.errcode, mxerr.CodeOf(err))
			require.Equal(t, tc.want, got)
		})
	}
}

func TestParseMediaID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, errcode string }{
		{"alphanumeric", "AQwafuaFswefuhsfAFAgsw", ""},
		{"dash and underscore", "a-b_c", ""},
		{"empty", "", mxerr.InvalidParam},
		{"dot", "a.b", mxerr.InvalidParam},
		{"slash", "a/b", mxerr.InvalidParam},
		{"percent", "a%2Fb", mxerr.InvalidParam},
		{"non-ascii", "é", mxerr.InvalidParam},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := mxid.ParseMediaID(tc.in)
			require.Equal(t, tc.errcode, mxerr.CodeOf(err))
		})
	}
}

func TestNewMediaIDIsUnguessable(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		m := mxid.NewMediaID()
		require.GreaterOrEqual(t, len(m), 24)
		require.True(t, mxid.ValidMediaID(m))
		require.False(t, seen[m])
		seen[m] = true
	}
}
