package telemetry

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/term"
)

// Config sets how hearth logs.
type Config struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is json, text, or auto (text on a terminal, else JSON).
	Format string `yaml:"format"`
}

// DefaultConfig logs at info in the format that suits the output.
func DefaultConfig() Config { return Config{Level: "info", Format: "auto"} }

// Validate reports problems in c.
func (c Config) Validate() error {
	if _, err := parseLevel(c.Level); err != nil {
		return err
	}
	switch c.Format {
	case "json", "text", "auto":
		return nil
	}
	return fmt.Errorf("log.format %q: want json, text or auto", c.Format)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("log.level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// NewLogger returns the root logger writing to w. Records logged with a
// context carry that context's request ID, user and job.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	level, err := parseLevel(cfg.Level)
	if err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	text := cfg.Format == "text"
	if cfg.Format == "auto" {
		f, ok := w.(*os.File)
		text = ok && term.IsTerminal(int(f.Fd()))
	}
	if text {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(contextHandler{h})
}

// contextHandler stamps the IDs a context carries onto each record.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if v, ok := ctx.Value(fieldsKey{}).(*Fields); ok {
		if v.RequestID != "" {
			r.AddAttrs(slog.String("request_id", v.RequestID))
		}
		if v.UserID != "" {
			r.AddAttrs(slog.String("user_id", v.UserID))
		}
		if v.DeviceID != "" {
			r.AddAttrs(slog.String("device_id", v.DeviceID))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

// Discard is a logger that drops everything, for tests and tools.
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
