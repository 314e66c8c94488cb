package genroutes

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRoutes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		want       []Route
		err        string
	}{
		{"registration calls",
			`router.GET(options.BaseURL+"/a/:id", wrapper.GetA, options.OperationMiddlewares["getA"]...)
	router.PUT(options.BaseURL+"/b", wrapper.PutB, options.OperationMiddlewares["put_b"]...)`,
			[]Route{{"GET", "/a/:id", "getA", "GetA"}, {"PUT", "/b", "put_b", "PutB"}}, ""},
		{"unexpected path", `router.GET(path, wrapper.GetA, options.OperationMiddlewares["getA"]...)`, nil, "not options.BaseURL"},
		{"unexpected middlewares", `router.GET(options.BaseURL+"/a", wrapper.GetA, nil)`, nil, "OperationMiddlewares"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			src := "package api\n\nfunc RegisterHandlersWithOptions(router EchoRouter, si ServerInterface, options RegisterHandlersOptions) {\n\t" + tc.body + "\n}\n"
			require.NoError(t, os.WriteFile(filepath.Join(dir, "api.gen.go"), []byte(src), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "api_test.go"), []byte("not go"), 0o644))
			pkg, err := Load(dir, nil)
			require.NoError(t, err)
			got, err := pkg.Routes()
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestLoadSkips(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.go"), []byte("package api\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.go"), []byte("broken"), 0o644))
	_, err := Load(dir, nil)
	require.Error(t, err)
	pkg, err := Load(dir, func(base string) bool { return base == "b.go" })
	require.NoError(t, err)
	require.Equal(t, "api", pkg.Name)
	_, err = pkg.Routes()
	require.ErrorContains(t, err, "no RegisterHandlersWithOptions")
}

func TestSpecPath(t *testing.T) {
	t.Parallel()
	require.Equal(t, "/_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}",
		SpecPath("/_matrix/client/v3/rooms/:roomId/send/:eventType/:txnId"))
	require.Equal(t, "/.well-known/matrix/client", SpecPath("/.well-known/matrix/client"))
}
