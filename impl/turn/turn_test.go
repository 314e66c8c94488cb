package turn_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/turn"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  turn.Config
		ok   bool
	}{
		{"defaults", turn.DefaultConfig(), true},
		{"turn and turns URIs", turn.Config{URIs: []string{"turn:a:3478", "turns:a:5349?transport=tcp"}, TTL: time.Hour}, true},
		{"stun URIs are not TURN servers", turn.Config{URIs: []string{"stun:a:3478"}, TTL: time.Hour}, false},
		{"a TTL under a second", turn.Config{TTL: time.Millisecond}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.ok, tc.cfg.Validate() == nil)
		})
	}
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	cfg := turn.Config{URIs: []string{"turn:t.example:3478"}, SharedSecret: "s3cret", TTL: 10 * time.Minute}

	c, ok, err := turn.New(cfg, clock).Credentials("@a:example.org", false)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "1700000600:@a:example.org", c.Username)
	// echo -n '1700000600:@a:example.org' | openssl dgst -sha1 -hmac s3cret -binary | base64
	require.Equal(t, "gK2F7utMMpSPKDjwsdiQUWrQ4Ug=", c.Password)
	require.Equal(t, []string{"turn:t.example:3478"}, c.URIs)

	_, ok, err = turn.New(turn.Config{URIs: cfg.URIs, TTL: time.Minute}, clock).Credentials("@a:example.org", false)
	require.NoError(t, err)
	require.False(t, ok, "no secret, no TURN server")
	var none *turn.Issuer
	_, ok, err = none.Credentials("@a:example.org", false)
	require.NoError(t, err)
	require.False(t, ok)

	_, _, err = turn.New(cfg, clock).Credentials("@guest:example.org", true)
	require.Equal(t, mxerr.Forbidden, mxerr.CodeOf(err))
}
