package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		slog.Error("specimport", "err", err)
		os.Exit(1)
	}
}

// config says where the importer reads and writes.
type config struct {
	SpecDir    string // the upstream checkout (holds SOURCE.md and data/)
	OutDir     string // spec/matrix
	OverlayDir string // spec/overlay
}

func run(ctx context.Context, args []string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	def := defaultConfig(root)
	fs := flag.NewFlagSet("specimport", flag.ContinueOnError)
	cfg := config{}
	fs.StringVar(&cfg.SpecDir, "spec", def.SpecDir, "upstream matrix-spec checkout (default: $MATRIX_SPEC_DIR or ../shared/matrix-spec beside the repository)")
	fs.StringVar(&cfg.OutDir, "out", def.OutDir, "output directory")
	fs.StringVar(&cfg.OverlayDir, "overlay", def.OverlayDir, "directory of per-API overlays")
	allowMissing := fs.Bool("allow-missing", false, "keep the committed output when the upstream checkout is at its default place and absent (a clone without ../shared)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *allowMissing && cfg.SpecDir == def.SpecDir && os.Getenv("MATRIX_SPEC_DIR") == "" {
		if _, err := os.Stat(filepath.Join(cfg.SpecDir, "SOURCE.md")); errors.Is(err, os.ErrNotExist) {
			slog.Warn("upstream matrix-spec absent: keeping the committed spec", "dir", cfg.SpecDir, "out", cfg.OutDir)
			return nil
		}
	}
	return importAll(ctx, cfg)
}

// defaultConfig resolves the default locations against the repository root,
// so that no machine path is written down anywhere.
func defaultConfig(root string) config {
	spec := os.Getenv("MATRIX_SPEC_DIR")
	if spec == "" {
		spec = filepath.Join(root, "..", "shared", "matrix-spec")
	}
	return config{
		SpecDir:    spec,
		OutDir:     filepath.Join(root, "spec", "matrix"),
		OverlayDir: filepath.Join(root, "spec", "overlay"),
	}
}

// importAll imports every API and writes the outputs; nothing is written
// unless every API imports cleanly.
func importAll(ctx context.Context, cfg config) error {
	src, err := readUpstream(filepath.Join(cfg.SpecDir, "SOURCE.md"))
	if err != nil {
		return err
	}
	apiDir := filepath.Join(cfg.SpecDir, "data", "api")
	outputs := map[string][]byte{"SOURCE": src.sourceFile()}
	for _, a := range apis {
		ov, err := loadOverlay(filepath.Join(cfg.OverlayDir, a.Name+".yaml"))
		if err != nil {
			return err
		}
		out, err := importAPI(ctx, apiDir, a, ov, src)
		if err != nil {
			return fmt.Errorf("import %s: %w", a.Name, err)
		}
		outputs[a.Name+".yaml"] = out
	}
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return err
	}
	for _, name := range sortedKeys(outputs) {
		path := filepath.Join(cfg.OutDir, name)
		if err := os.WriteFile(path, outputs[name], 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

// repoRoot finds the directory holding go.mod, upwards from the working
// directory, so the importer runs the same from any subdirectory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
