package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// health asks the hearth this configuration describes, on this machine,
// for GET /health: the health check of hearth's container image, which has
// no curl.
func health(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, cfg, _, err := common("health", args, stderr, nil)
	if err != nil {
		return err
	}
	_, port, err := net.SplitHostPort(cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("health: http.listen %q: %w", cfg.HTTP.Listen, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	url := "http://" + net.JoinHostPort("127.0.0.1", port) + "/health"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprintln(stdout, strings.TrimSpace(string(body)))
	return nil
}
