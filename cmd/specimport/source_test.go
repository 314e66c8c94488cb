package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadUpstream(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"SOURCE.md": "# Source\n\n- Repository: https://github.com/matrix-org/matrix-spec\n- Tag: `v1.19` (newest)\n" +
			"- Commit: `b9c3d5ed3b0b46b2b025b4a427119036bc9ed71a`\n",
		"BAD.md": "- Tag: `v1.19`\n",
	})
	u, err := readUpstream(filepath.Join(dir, "SOURCE.md"))
	require.NoError(t, err)
	require.Equal(t, upstream{"https://github.com/matrix-org/matrix-spec", "v1.19", "b9c3d5ed3b0b46b2b025b4a427119036bc9ed71a"}, u)
	require.Contains(t, string(u.sourceFile()), "tag: v1.19\ncommit: b9c3d5ed3b0b46b2b025b4a427119036bc9ed71a\n")

	_, err = readUpstream(filepath.Join(dir, "BAD.md"))
	require.ErrorContains(t, err, "no line matching")
}

func TestPascal(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"client_event":       "ClientEvent",
		"inviteBy3PID":       "InviteBy3PID",
		"Third-party Signed": "ThirdPartySigned",
		"booleanCapability":  "BooleanCapability",
	} {
		require.Equal(t, want, pascal(in), in)
	}
}
