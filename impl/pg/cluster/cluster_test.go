package cluster_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/pg/cluster"
)

// dataDir returns a data directory path under a new temp directory that the
// postgres user can pass when the test runs as root (t.TempDir's is 0700),
// removed after the test's other cleanups (so after Stop).
func dataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "hearth-cluster-test-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	return filepath.Join(dir, "data")
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func start(t *testing.T, cfg cluster.Config) *cluster.Cluster {
	t.Helper()
	c, err := cluster.Start(t.Context(), cfg, testLogger(t))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Stop(context.Background())) })
	return c
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func TestStartKeepsDataAcrossRestarts(t *testing.T) {
	t.Parallel()
	cfg := cluster.Config{DataDir: dataDir(t), Database: "keep", Ephemeral: true}

	began := time.Now()
	c, err := cluster.Start(t.Context(), cfg, testLogger(t))
	require.NoError(t, err)
	t.Logf("first start (initdb included): %s", time.Since(began))
	conn := connect(t, c.URL())
	_, err = conn.Exec(t.Context(), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('hello')")
	require.NoError(t, err)
	var fsync string
	require.NoError(t, conn.QueryRow(t.Context(), "SHOW fsync").Scan(&fsync))
	require.Equal(t, "off", fsync)
	require.NoError(t, conn.Close(t.Context()))
	require.NoError(t, c.Stop(t.Context()))
	require.NoFileExists(t, filepath.Join(c.DataDir(), "postmaster.pid"))

	began = time.Now()
	c = start(t, cfg)
	t.Logf("restart: %s", time.Since(began))
	var v string
	require.NoError(t, connect(t, c.URL()).QueryRow(t.Context(), "SELECT v FROM kept").Scan(&v))
	require.Equal(t, "hello", v)
}

func TestStartDurableByDefault(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Config{DataDir: dataDir(t)})
	conn := connect(t, c.URL())
	for setting, want := range map[string]string{
		"fsync":            "on",
		"listen_addresses": "",
		"server_encoding":  "UTF8",
		"application_name": "",
	} {
		var got string
		require.NoError(t, conn.QueryRow(t.Context(), "SHOW "+setting).Scan(&got))
		require.Equal(t, want, got, setting)
	}
	var db string
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT current_database()").Scan(&db))
	require.Equal(t, "hearth", db)
	require.Contains(t, c.URL(), "host=")
}

func TestStartRemovesStalePIDFile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		pid  func(t *testing.T) int
	}{
		{"dead process", func(t *testing.T) int {
			cmd := exec.Command("true")
			require.NoError(t, cmd.Run())
			return cmd.Process.Pid
		}},
		{"live process that is not postgres", func(t *testing.T) int { return os.Getpid() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := cluster.Config{DataDir: dataDir(t), Ephemeral: true}
			c, err := cluster.Start(t.Context(), cfg, testLogger(t))
			require.NoError(t, err)
			require.NoError(t, c.Stop(t.Context()))

			// What an unclean stop leaves, with the PID since reused.
			pidFile := filepath.Join(c.DataDir(), "postmaster.pid")
			stale := fmt.Sprintf("%d\n%s\n1700000000\n5432\n%s\n\n  5432001         0\nready   \n", tc.pid(t), c.DataDir(), c.DataDir())
			require.NoError(t, os.WriteFile(pidFile, []byte(stale), 0o600))
			require.NoError(t, os.WriteFile(filepath.Join(c.DataDir(), ".s.PGSQL.5432.lock"), []byte(stale), 0o600))

			c = start(t, cfg)
			require.NoError(t, connect(t, c.URL()).Ping(t.Context()))
			got, err := os.ReadFile(pidFile)
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(string(got), strconv.Itoa(c.PID())+"\n"))
		})
	}
}

func TestStartRefusesRunningServerUnlessShared(t *testing.T) {
	t.Parallel()
	cfg := cluster.Config{DataDir: dataDir(t), Ephemeral: true}
	first := start(t, cfg)

	_, err := cluster.Start(t.Context(), cfg, testLogger(t))
	require.ErrorContains(t, err, "already runs on this data directory")

	cfg.Shared = true
	cfg.Database = "second"
	second, err := cluster.Start(t.Context(), cfg, testLogger(t))
	require.NoError(t, err)
	require.Equal(t, first.PID(), second.PID())
	require.NoError(t, connect(t, second.URL()).Ping(t.Context()))
}

func TestStartPutsSocketInShortDirWhenDataDirIsLong(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(dataDir(t), strings.Repeat("d", 60), strings.Repeat("e", 60))
	c := start(t, cluster.Config{DataDir: dir, Ephemeral: true})
	require.NoError(t, connect(t, c.URL()).Ping(t.Context()))
	require.NotContains(t, c.URL(), strings.Repeat("d", 60))
}

func TestStartRelocatesNewClusterOutOfRunAsUsersReach(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("only root runs postgres as another user")
	}
	private := filepath.Join(filepath.Dir(dataDir(t)), "private")
	require.NoError(t, os.Mkdir(private, 0o700))

	// A new cluster goes where postgres can reach it, linked from the data dir.
	linked := filepath.Join(private, "data")
	c := start(t, cluster.Config{DataDir: linked, Ephemeral: true})
	target, err := os.Readlink(linked)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = c.Stop(context.Background()) // before its files go
		_ = os.RemoveAll(target)
	})
	require.True(t, strings.HasPrefix(target, "/var/lib/hearth/clusters/"), target)
	require.Equal(t, target, c.DataDir())
	require.NoError(t, connect(t, c.URL()).Ping(t.Context()))

	// An existing directory is never moved: the error says what to do.
	existing := filepath.Join(private, "existing")
	require.NoError(t, os.Mkdir(existing, 0o700))
	_, err = cluster.Start(t.Context(), cluster.Config{DataDir: existing}, testLogger(t))
	require.ErrorContains(t, err, "chmod o+x "+private)
}

func TestStartFailsWithoutBinaries(t *testing.T) {
	t.Parallel()
	_, err := cluster.Start(t.Context(), cluster.Config{DataDir: dataDir(t), BinDir: t.TempDir()}, testLogger(t))
	require.ErrorContains(t, err, "bin_dir")
}

// TestServerStopsWhenParentDies runs a child test process that starts a
// cluster and exits without stopping it: postgres must follow.
func TestServerStopsWhenParentDies(t *testing.T) {
	t.Parallel()
	if os.Getenv("HEARTH_CLUSTER_HELPER_DIR") != "" {
		t.Skip("helper process")
	}
	dir := dataDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperStartAndExit$", "-test.v")
	cmd.Env = append(os.Environ(), "HEARTH_CLUSTER_HELPER_DIR="+dir)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	pid, err := strconv.Atoi(lastLineWithPrefix(string(out), "pid="))
	require.NoError(t, err, string(out))

	require.Eventually(t, func() bool {
		return syscall.Kill(pid, 0) != nil
	}, 10*time.Second, 20*time.Millisecond, "postgres (pid %d) outlived its parent", pid)
	// It shut down cleanly: the next start needs no crash recovery.
	c := start(t, cluster.Config{DataDir: dir, Ephemeral: true})
	require.NoError(t, connect(t, c.URL()).Ping(t.Context()))
}

func TestHelperStartAndExit(t *testing.T) {
	dir := os.Getenv("HEARTH_CLUSTER_HELPER_DIR")
	if dir == "" {
		t.Skip("run by TestServerStopsWhenParentDies")
	}
	c, err := cluster.Start(t.Context(), cluster.Config{DataDir: dir, Ephemeral: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Println("start:", err)
		os.Exit(1)
	}
	fmt.Printf("pid=%d\n", c.PID())
	os.Exit(0) // no Stop
}

func lastLineWithPrefix(out, prefix string) string {
	v := ""
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, prefix) {
			v = strings.TrimPrefix(line, prefix)
		}
	}
	return v
}

func TestConfigWithDefaults(t *testing.T) {
	t.Parallel()
	require.Equal(t, cluster.Defaults(), cluster.Config{}.WithDefaults())
	custom := cluster.Config{DataDir: "x", MaxConnections: 7, Ephemeral: true}.WithDefaults()
	require.Equal(t, "x", custom.DataDir)
	require.Equal(t, 7, custom.MaxConnections)
	require.Equal(t, "hearth", custom.Database)
	require.True(t, custom.Ephemeral)
	require.NoError(t, cluster.Config{}.Validate())
	require.Error(t, cluster.Config{MaxConnections: -1}.Validate())
}
