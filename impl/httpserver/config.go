package httpserver

import (
	"errors"
	"fmt"
	"net"
)

// Config is the HTTP part of hearth's configuration.
type Config struct {
	// Listen is the address of the client (and, for now, federation) API.
	Listen string `yaml:"listen"`
	// TLSListen, when set, serves the same API over TLS as well: federation's
	// port (":8448"), where other servers expect a certificate for the
	// server name. TLSCert and TLSKey are PEM files of that certificate
	// (with its chain) and its key, read at start; a certificate hearth
	// issues itself (the top-level tls_issuer) takes their place. Clients
	// usually reach Listen through a TLS-terminating reverse proxy instead.
	TLSListen string `yaml:"tls_listen"`
	TLSCert   string `yaml:"tls_cert"`
	TLSKey    string `yaml:"tls_key"`
	// MetricsListen serves Prometheus metrics at /metrics when set; keep it
	// off the public interface.
	MetricsListen string `yaml:"metrics_listen"`
	// MaxBodyBytes bounds request bodies of the JSON APIs.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// TrustedProxies are CIDRs whose X-Forwarded-For is believed when
	// telling clients apart (rate limits, device last-seen IPs).
	TrustedProxies []string   `yaml:"trusted_proxies"`
	RateLimits     RateLimits `yaml:"rate_limits"`
}

// DefaultConfig serves on port 8008 of every interface.
func DefaultConfig() Config {
	return Config{
		Listen:       ":8008",
		MaxBodyBytes: 1 << 20,
		RateLimits: RateLimits{
			Enabled:  true,
			Login:    RateLimit{PerSecond: 0.2, Burst: 5},
			Register: RateLimit{PerSecond: 0.1, Burst: 3},
		},
	}
}

// Validate reports every problem in c.
func (c Config) Validate() error {
	var errs []error
	if c.Listen == "" {
		errs = append(errs, errors.New("http.listen is required"))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("http.tls_cert and http.tls_key go together"))
	}
	if c.MaxBodyBytes < 65536 {
		errs = append(errs, fmt.Errorf("http.max_body_bytes %d: must allow at least a 64 KiB event", c.MaxBodyBytes))
	}
	for _, p := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil {
			errs = append(errs, fmt.Errorf("http.trusted_proxies: %w", err))
		}
	}
	if rl := c.RateLimits; rl.Enabled && (rl.Login.PerSecond <= 0 || rl.Login.Burst < 1 || rl.Register.PerSecond <= 0 || rl.Register.Burst < 1) {
		errs = append(errs, errors.New("http.rate_limits: per_second > 0 and burst ≥ 1 are needed when enabled"))
	}
	return errors.Join(errs...)
}
