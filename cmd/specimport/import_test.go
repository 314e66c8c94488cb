package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCommittedSpecIsUpToDate re-imports the upstream spec and fails on any
// byte difference from spec/matrix/: the committed output must be exactly
// what the importer and the overlays produce.
func TestCommittedSpecIsUpToDate(t *testing.T) {
	t.Parallel()
	root, err := repoRoot()
	require.NoError(t, err)
	cfg := defaultConfig(root)
	if _, err := os.Stat(filepath.Join(cfg.SpecDir, "SOURCE.md")); err != nil {
		t.Skipf("upstream matrix-spec not found at %s (set MATRIX_SPEC_DIR): %v", cfg.SpecDir, err)
	}
	cfg.OutDir = t.TempDir()
	require.NoError(t, importAll(context.Background(), cfg))

	committed := filepath.Join(root, "spec", "matrix")
	want, err := os.ReadDir(committed)
	require.NoError(t, err)
	got, err := os.ReadDir(cfg.OutDir)
	require.NoError(t, err)
	require.Equal(t, names(want), names(got), "files in spec/matrix/")
	for _, e := range got {
		a, err := os.ReadFile(filepath.Join(committed, e.Name()))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(cfg.OutDir, e.Name()))
		require.NoError(t, err)
		require.True(t, string(a) == string(b), "spec/matrix/%s is stale: run spec/generate.sh", e.Name())
	}
}

func names(entries []os.DirEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Name()
	}
	return out
}
