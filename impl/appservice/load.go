package appservice

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"go.yaml.in/yaml/v3"
)

// Config says where registrations are.
type Config struct {
	// RegistrationFiles are registration files (YAML).
	RegistrationFiles []string `yaml:"registration_files"`
	// RegistrationDir is a directory whose *.yaml and *.yml files are
	// registrations too, read in name order.
	RegistrationDir string `yaml:"registration_dir"`
}

// Load reads and validates every registration cfg names. Unknown keys are
// allowed, as bridges write keys of their own. It reports every problem at
// once, each with its file: a missing file or directory, YAML that does not
// parse, a registration that is invalid on its own, and ids or tokens that
// two registrations share.
func Load(cfg Config) ([]Registration, error) {
	paths := slices.Clone(cfg.RegistrationFiles)
	if cfg.RegistrationDir != "" {
		entries, err := os.ReadDir(cfg.RegistrationDir)
		if err != nil {
			return nil, fmt.Errorf("appservice.registration_dir: %w", err)
		}
		for _, e := range entries { // ReadDir sorts by name
			if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
				paths = append(paths, filepath.Join(cfg.RegistrationDir, e.Name()))
			}
		}
	}
	var regs []Registration
	var errs []error
	for _, path := range paths {
		r, err := loadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("appservice registration %s: %w", path, err))
			continue
		}
		regs = append(regs, r)
	}
	errs = append(errs, checkUnique(regs)...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return regs, nil
}

func loadFile(path string) (Registration, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Registration{}, err
	}
	var r Registration
	if err := yaml.NewDecoder(bytes.NewReader(b)).Decode(&r); err != nil {
		if errors.Is(err, io.EOF) {
			return Registration{}, errors.New("empty file")
		}
		return Registration{}, err
	}
	if err := r.validate(); err != nil {
		return Registration{}, err
	}
	return r, nil
}

// checkUnique reports ids and tokens used by two registrations: a token
// names exactly one service. It only sees registrations that loaded.
func checkUnique(regs []Registration) []error {
	var errs []error
	ids := map[string]bool{}
	tokens := map[string]string{} // token → id
	for _, r := range regs {
		if ids[r.ID] {
			errs = append(errs, fmt.Errorf("appservice registrations: id %q is used twice", r.ID))
		}
		ids[r.ID] = true
		for _, tok := range []string{r.ASToken, r.HSToken} {
			if other, ok := tokens[tok]; ok {
				errs = append(errs, fmt.Errorf("appservice registrations %q and %q share a token", other, r.ID))
			}
			tokens[tok] = r.ID
		}
	}
	return errs
}
