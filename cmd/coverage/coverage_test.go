package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAdapterMethods(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"rooms.go": `package clientapi
type Server struct{}
// PUT /rooms/{roomId}/send/{eventType}/{txnId}
func (s *Server) SendMessage() {}
func (Server) GetVersions() {}
func (o *Other) Sync() {}
func Login() {}
`,
		"rooms_test.go": "package clientapi\nfunc (s *Server) Logout() {}\n",
	}
	for name, src := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
	}
	got, err := adapterMethods(dir, "Server")
	require.NoError(t, err)
	require.Equal(t, map[string]bool{"SendMessage": true, "GetVersions": true}, got)

	got, err = adapterMethods(filepath.Join(dir, "missing"), "Server")
	require.NoError(t, err)
	require.Empty(t, got, "an adapter not written yet implements nothing")
}

func TestMeasureCommittedSpecs(t *testing.T) {
	t.Parallel()
	root, err := repoRoot()
	require.NoError(t, err)
	for _, a := range apis {
		r, err := measure(root, a)
		require.NoError(t, err)
		require.NotEmpty(t, r.Ops)
		for _, op := range r.Ops {
			require.NotEmpty(t, op.Handler, op.OperationID)
			require.NotEmpty(t, op.Area, op.OperationID)
		}
	}
}

func TestWriteReports(t *testing.T) {
	t.Parallel()
	reports := []report{{API: "Client-Server", Ops: []operation{
		{Method: "POST", Path: "/login", OperationID: "login", Area: "Session management", Handler: "Login", Implemented: true},
		{Method: "POST", Path: "/logout", OperationID: "logout", Area: "Session management", Handler: "Logout"},
		{Method: "GET", Path: "/sync", OperationID: "sync", Area: "Room participation", Handler: "Sync"},
	}}}

	var text bytes.Buffer
	require.NoError(t, writeText(&text, reports))
	require.Equal(t, `Client-Server API: 1/3 implemented
  ✓  POST  /login   login   Session management
  -  POST  /logout  logout  Session management
  -  GET   /sync    sync    Room participation

Total: 1/3 implemented
`, text.String())

	var md bytes.Buffer
	require.NoError(t, writeMarkdown(&md, reports))
	require.Equal(t, "| API | Implemented |\n|---|---|\n| Client-Server | 1 / 3 |\n\n"+
		"<details><summary>Client-Server API: 1 / 3</summary>\n\n"+
		"| Area | Implemented | Operations |\n|---|---|---|\n"+
		"| Room participation | 0 / 1 | ☐ `sync` |\n"+
		"| Session management | 1 / 2 | ☑ `login`, ☐ `logout` |\n\n</details>\n\n", md.String())
}
