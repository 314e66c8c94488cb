package testutil

import (
	"slices"
	"testing"
	"time"
)

// ReportLatencies reports the median and 99th percentile of lat (which it
// sorts) as the benchmark's p50_µs and p99_µs.
func ReportLatencies(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50_µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99_µs")
}
