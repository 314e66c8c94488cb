package cluster

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
)

// tailLines is how many of postgres's last output lines a start error shows.
const tailLines = 20

// outputLog turns postgres's output, one message per line ("LOG:  database
// system is ready to accept connections"), into slog records, and keeps the
// last lines for error messages. Client errors (ERROR) are the callers' to
// report, so they stay at Info; only FATAL and PANIC are errors here.
type outputLog struct {
	logger *slog.Logger

	mu      sync.Mutex
	partial []byte
	tail    []string
}

func newOutputLog(logger *slog.Logger) *outputLog {
	return &outputLog{logger: logger}
}

// Write logs every complete line of p; it never fails, so postgres never
// blocks on a slow logger's error.
func (o *outputLog) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.partial = append(o.partial, p...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			break
		}
		o.line(string(o.partial[:i]))
		o.partial = o.partial[i+1:]
	}
	return len(p), nil
}

func (o *outputLog) line(s string) {
	s = strings.TrimRight(s, "\r")
	if s == "" {
		return
	}
	o.tail = append(o.tail, s)
	if len(o.tail) > tailLines {
		o.tail = o.tail[len(o.tail)-tailLines:]
	}
	level := slog.LevelDebug
	msg := s
	if sev, rest, ok := strings.Cut(s, ":  "); ok {
		msg = rest
		switch {
		case sev == "FATAL" && routineFatal[rest]:
		case sev == "FATAL", sev == "PANIC":
			level = slog.LevelError
		case sev == "WARNING":
			level = slog.LevelWarn
		case sev == "ERROR":
			level = slog.LevelInfo
		}
	}
	o.logger.Log(context.Background(), level, "postgres: "+msg)
}

// routineFatal are FATAL messages that end one connection as expected:
// readiness probes during start, clients cut off by a shutdown or a DROP
// DATABASE WITH (FORCE).
var routineFatal = map[string]bool{
	"the database system is starting up":                  true,
	"the database system is shutting down":                true,
	"terminating connection due to administrator command": true,
}

// lastLines returns the last lines postgres wrote, joined for an error.
func (o *outputLog) lastLines() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.tail, "\n")
}

// fileTail returns the last lines of the file at path, for error messages.
func fileTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > tailLines {
		lines = lines[len(lines)-tailLines:]
	}
	return strings.Join(lines, "\n")
}
