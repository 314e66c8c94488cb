package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"
)

// Load builds the configuration: defaults, then the profile HEARTH_PROFILE
// or the file's profile key names (profile.go), then the YAML file at path
// (none when path is empty), then HEARTH_* variables from environ, then
// checks. Unknown keys in the file are errors, so that typos do not pass
// silently.
func Load(path string, environ []string) (Config, error) {
	c := Default()
	var b []byte
	if path != "" {
		var err error
		if b, err = os.ReadFile(path); err != nil {
			return Config{}, fmt.Errorf("read config: %w", err)
		}
	}
	if err := applyProfile(&c, b, environ, pathExists); err != nil {
		return Config{}, err
	}
	if path != "" {
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
	}
	if err := applyEnv(&c, environ); err != nil {
		return Config{}, err
	}
	c.finish()
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return c, nil
}
