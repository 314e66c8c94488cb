package image

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// docker runs the docker CLI and returns its trimmed standard output; it
// fails t when the command fails.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := dockerErr(args...)
	require.NoError(t, err)
	return out
}

// dockerIn is docker with stdin as the command's standard input.
func dockerIn(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	out, err := dockerWith(bytes.NewReader(stdin), args...)
	require.NoError(t, err)
	return out
}

func dockerErr(args ...string) (string, error) { return dockerWith(nil, args...) }

func dockerWith(stdin io.Reader, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// requireDocker skips t when no Docker engine answers, or fails it when
// HEARTH_TEST_PG=docker says there must be one.
func requireDocker(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("image test skipped in -short mode")
	}
	must := os.Getenv("HEARTH_TEST_PG") == "docker"
	_, err := exec.LookPath("docker")
	if err == nil {
		_, err = dockerErr("info", "--format", "{{.ServerVersion}}")
	}
	if err == nil {
		return
	}
	if must {
		t.Fatalf("HEARTH_TEST_PG=docker, but no Docker engine answers: %v", err)
	}
	t.Skipf("no Docker engine answers, so hearth's image is not tested: %v", err)
}

// tarOf makes a tar archive of files (path → content), with their
// directories, for docker cp.
func tarOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		for d := path.Dir(name); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	for _, d := range slices.Sorted(maps.Keys(dirs)) {
		require.NoError(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755}))
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		b := files[name]
		require.NoError(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(b))}))
		_, err := tw.Write(b)
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

// hostPort returns the address on this machine that the container's port
// is published on.
func hostPort(t *testing.T, container, port string) string {
	t.Helper()
	out := docker(t, "port", container, port+"/tcp")
	addr := strings.Fields(out)[0] // one line per address family
	host, p, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	if host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, p)
}
