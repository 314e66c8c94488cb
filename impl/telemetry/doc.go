// Package telemetry holds hearth's logging setup, the request and job IDs
// carried in a context and stamped on every log record, and the Prometheus
// registry. impl/app builds the root logger here and hands it down.
package telemetry
