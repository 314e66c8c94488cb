package telemetry

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are hearth's Prometheus collectors, registered on their own
// registry (not the global one) so tests can run servers side by side.
type Metrics struct {
	Registry *prometheus.Registry
	Requests *prometheus.HistogramVec
}

// NewMetrics registers hearth's collectors and the Go runtime's.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		Requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hearth_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by spec operation and status.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}, []string{"op", "status"}),
	}
	reg.MustRegister(m.Requests, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
