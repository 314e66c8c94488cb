// Package migrations holds hearth's database schema as goose SQL migrations,
// embedded in the binary and applied at start and by `hearth migrate`.
package migrations

import "embed"

// FS holds every migration file, in goose's numbered order.
//
//go:embed *.sql
var FS embed.FS
