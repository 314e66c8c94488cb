// Command specimport turns the upstream Matrix spec's OpenAPI data files into
// one self-contained, deterministic OpenAPI document per API under spec/matrix/,
// the input of oapi-codegen and of the request validator.
//
// It keeps the facts (paths, methods, operation IDs, parameters, schemas,
// security, response codes, tags) and drops the prose, so the repository never
// carries the spec's text. The fixes it makes are mechanical and live in code
// (see fixes.go, paths.go, security.go); project decisions that are not
// mechanical live in one overlay file per API under spec/overlay/ (overlay.go).
//
// Usage, from anywhere inside the repository:
//
//	go run ./cmd/specimport [-spec DIR] [-out DIR] [-overlay DIR]
//
// The upstream checkout defaults to ../shared/matrix-spec next to the
// repository root; MATRIX_SPEC_DIR or -spec points elsewhere (a spec bump).
package main
