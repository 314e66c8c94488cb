// Command genstubs writes the Go that oapi-codegen does not, next to its
// output, for each generated API package given on the command line:
//
//   - unimplemented.gen.go, for packages with a StrictServerInterface: the
//     Unimplemented type, whose methods answer every operation with
//     *NotImplementedError. Adapters embed it, so every operation is routed
//     and those not built yet answer 404 M_UNRECOGNIZED.
//   - rawjson.gen.go, where needed: MarshalJSON/UnmarshalJSON for types
//     oapi-codegen defines over json.RawMessage (`type X json.RawMessage`),
//     which would otherwise lose RawMessage's methods and encode as base64.
//
// spec/generate.sh runs it after oapi-codegen:
//
//	go run ./cmd/genstubs gen/clientserver gen/serverserver gen/appservice gen/pushgateway
package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/hearth-hs/hearth/cmd/internal/genroutes"
)

// Output file names; genstubs never reads them back as input.
const (
	stubsFile = "unimplemented.gen.go"
	rawFile   = "rawjson.gen.go"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: genstubs DIR...")
		os.Exit(2)
	}
	for _, dir := range os.Args[1:] {
		if err := generate(dir); err != nil {
			slog.Error("genstubs", "dir", dir, "err", err)
			os.Exit(1)
		}
	}
}

// generate writes (or removes, when there is nothing to write) the outputs
// for one package directory.
func generate(dir string) error {
	pkg, err := genroutes.Load(dir, func(base string) bool { return base == stubsFile || base == rawFile })
	if err != nil {
		return err
	}
	stubs, err := stubsSource(pkg)
	if err != nil {
		return err
	}
	if err := writeOrRemove(filepath.Join(dir, stubsFile), stubs); err != nil {
		return err
	}
	return writeOrRemove(filepath.Join(dir, rawFile), rawJSONSource(pkg))
}

// writeOrRemove gofmts and writes src, or removes path when src is nil so a
// stale output cannot survive a regeneration.
func writeOrRemove(path string, src []byte) error {
	if src == nil {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	out, err := formatSource(src)
	if err != nil {
		return fmt.Errorf("format %s: %w", path, err)
	}
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, out) {
		return nil
	}
	return os.WriteFile(path, out, 0o644)
}

// formatSource gofmts generated source.
func formatSource(src []byte) ([]byte, error) { return format.Source(src) }
