package app

import (
	"context"
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/tlscert"
)

// issueCertificate issues the TLS listener's certificate when tls_issuer is
// set, and returns nil otherwise (the listener then reads http.tls_cert).
func issueCertificate(ctx context.Context, cfg config.Config, log *slog.Logger, now func() time.Time) (*tls.Certificate, error) {
	if !cfg.TLSIssuer.Enabled() || cfg.HTTP.TLSListen == "" {
		return nil, nil
	}
	if now == nil {
		now = time.Now
	}
	cert, err := tlscert.Issue(cfg.TLSIssuer, cfg.ServerName, now())
	if err != nil {
		return nil, err
	}
	log.InfoContext(ctx, "TLS certificate issued", "server_name", cfg.ServerName,
		"ca", cert.Leaf.Issuer.String(), "not_after", cert.Leaf.NotAfter)
	return cert, nil
}
