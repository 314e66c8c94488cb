package app

import (
	"context"
	"log/slog"

	"github.com/hearth-hs/hearth/impl/appservice"
)

// loadAppServices reads the registrations cfg names.
func loadAppServices(ctx context.Context, cfg appservice.Config, log *slog.Logger) ([]appservice.Registration, error) {
	regs, err := appservice.Load(cfg)
	if err != nil {
		return nil, err
	}
	if len(regs) > 0 {
		ids := make([]string, len(regs))
		for i, r := range regs {
			ids[i] = r.ID
		}
		log.InfoContext(ctx, "application services registered", "count", len(regs), "ids", ids)
	}
	return regs, nil
}
