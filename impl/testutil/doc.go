// Package testutil holds what tests across hearth share that is not a
// database or a server: an adjustable clock, a logger that writes to the
// test's own log, certificate authorities and latency percentiles for
// benchmarks. pgtest gives databases; servertest gives a running hearth.
package testutil
