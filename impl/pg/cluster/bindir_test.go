package cluster

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMajorOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"15.18", "15"},
		{"17beta2", "17"},
		{"16", "16"},
		{"9.6.24", "9.6"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, majorOf(tc.in))
		})
	}
}
