package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/app"
	"github.com/hearth-hs/hearth/impl/testutil"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestServeListenersAndMetrics runs hearth's own listeners: the client API,
// and Prometheus metrics on their separate address, until shutdown.
func TestServeListenersAndMetrics(t *testing.T) {
	t.Parallel()
	cfg := servertest.Config(t)
	cfg.HTTP.Listen = freeAddr(t)
	cfg.HTTP.MetricsListen = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, testutil.Logger(t), app.Options{})
	require.NoError(t, err)
	defer a.Close(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()

	get := func(url string) (int, string) {
		var resp *http.Response
		require.Eventually(t, func() bool {
			resp, err = http.Get(url)
			return err == nil
		}, 10*time.Second, 20*time.Millisecond)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, _ := get("http://" + cfg.HTTP.Listen + "/_matrix/client/versions")
	require.Equal(t, http.StatusOK, status)
	status, body := get("http://" + cfg.HTTP.MetricsListen + "/metrics")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `hearth_http_request_duration_seconds_count{op="getVersions",status="200"} 1`)
	status, _ = get("http://" + cfg.HTTP.Listen + "/metrics")
	require.Equal(t, http.StatusNotFound, status, "metrics stay off the public listener")

	cancel()
	require.NoError(t, <-done)
}
