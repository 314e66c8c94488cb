package app

import (
	"context"
	"log/slog"

	"github.com/hearth-hs/hearth/impl/pg/cluster"
)

// startEmbedded runs the private cluster and returns its URL and how to
// stop it.
func startEmbedded(ctx context.Context, cfg cluster.Config, log *slog.Logger) (string, func(context.Context) error, error) {
	c, err := cluster.Start(ctx, cfg, log)
	if err != nil {
		return "", nil, err
	}
	return c.URL(), c.Stop, nil
}
