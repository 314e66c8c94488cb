package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// yamlTree parses an inline YAML document for a test.
func yamlTree(t *testing.T, src string) any {
	t.Helper()
	tr, err := parseTree([]byte(src))
	require.NoError(t, err)
	return tr
}

func yamlMap(t *testing.T, src string) map[string]any {
	t.Helper()
	m := asMap(yamlTree(t, src))
	require.NotNil(t, m, "not a mapping: %s", src)
	return m
}

// writeFiles lays out files (relative path → content) under a new
// directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
	return dir
}
