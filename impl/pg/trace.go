package pg

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/tracelog"
)

// newTracer logs pgx's events through logger, with the caller's context so
// that request IDs stamped by the handler appear on SQL lines too. Query
// arguments are dropped: they carry token hashes and password hashes.
func newTracer(logger *slog.Logger) *tracelog.TraceLog {
	return &tracelog.TraceLog{
		LogLevel: tracelog.LogLevelDebug,
		Logger: tracelog.LoggerFunc(func(ctx context.Context, level tracelog.LogLevel, msg string, data map[string]any) {
			attrs := make([]slog.Attr, 0, len(data))
			for k, v := range data {
				if k == "args" {
					continue
				}
				attrs = append(attrs, slog.Any(k, v))
			}
			logger.LogAttrs(ctx, slogLevel(level), "pgx: "+msg, attrs...)
		}),
	}
}

func slogLevel(l tracelog.LogLevel) slog.Level {
	switch l {
	case tracelog.LogLevelError:
		return slog.LevelError
	case tracelog.LogLevelWarn:
		return slog.LevelWarn
	case tracelog.LogLevelInfo:
		return slog.LevelInfo
	default:
		return slog.LevelDebug
	}
}
