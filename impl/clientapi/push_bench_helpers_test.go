package clientapi_test

import (
	"testing"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// benchPushServer is the server of BenchmarkSendLargeRoom: push gateways
// allowed on loopback, where the benchmark runs its own. (The benchmark's
// "before" run, on the code before push existed, has its own stub.)
func benchPushServer(b *testing.B) *servertest.Server { return pushServer(b) }
