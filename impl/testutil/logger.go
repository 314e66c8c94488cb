package testutil

import (
	"context"
	"log/slog"
	"strings"
	"testing"
)

// Logger returns a logger writing warnings and errors to t's log, so that a
// failing test shows what the server complained about and a passing one
// stays quiet.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(&testHandler{t: t, level: slog.LevelWarn})
}

type testHandler struct {
	t     testing.TB
	level slog.Level
	attrs []slog.Attr
}

func (h *testHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *testHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	for _, a := range h.attrs {
		b.WriteString(" " + a.String())
	}
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	// A server goroutine may log after the test ended, when t.Log panics.
	defer func() { _ = recover() }()
	h.t.Log(b.String())
	return nil
}

func (h *testHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &testHandler{t: h.t, level: h.level, attrs: append(append([]slog.Attr{}, h.attrs...), attrs...)}
}

func (h *testHandler) WithGroup(string) slog.Handler { return h }
