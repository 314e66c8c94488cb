package config

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/tlscert"
)

// A profile sets settings over the defaults, under the file's and the
// environment's. It may read the environment and ask whether a path exists
// (exists), as what it sets can depend on what the machine holds.
type profile func(c *Config, env map[string]string, exists func(path string) bool)

// profiles are the named profiles; never applied unless asked for.
var profiles = map[string]profile{
	"complement": complement,
}

// What Complement gives every homeserver container it starts.
const (
	complementCACert        = "/complement/ca/ca.crt"
	complementCAKey         = "/complement/ca/ca.key"
	complementAppServiceDir = "/complement/appservice"
	// complementSharedSecret is the registration shared secret Complement
	// uses for /_synapse/admin/v1/register.
	complementSharedSecret = "complement"
)

// complement sets hearth up for Complement, Matrix's homeserver test suite,
// which runs the image hearth:complement (build/image) once per homeserver
// of a test, on a Docker network, and commits stopped containers to reuse
// them:
//   - the server name comes from SERVER_NAME ("hs1");
//   - registration is open, with no rate limits and short passwords (cheap
//     to hash), and shared-secret registration takes Complement's secret;
//   - when Complement's CA is there, a certificate for the server name is
//     issued from it at every start and served on :8448, and outgoing
//     federation trusts that CA;
//   - outgoing federation may reach private addresses (the Docker network);
//   - application services registered in /complement/appservice are loaded;
//   - the embedded database skips fsync: a test container's data need not
//     survive a machine crash, only clean stops and kills.
func complement(c *Config, env map[string]string, exists func(string) bool) {
	if name := env["SERVER_NAME"]; name != "" {
		c.ServerName = name
	}
	c.Registration.Mode = accounts.RegistrationOpen
	c.Registration.SharedSecret = complementSharedSecret
	c.Accounts.Password.MinLength = 1
	c.Accounts.Password.Argon2 = accounts.Argon2Config{MemoryKiB: 1024, Iterations: 1, Parallelism: 1}
	c.HTTP.RateLimits.Enabled = false
	c.Federation.AllowPrivateAddresses = true
	c.EmbeddedDatabase.Settings = map[string]string{"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
	if exists(complementCACert) && exists(complementCAKey) {
		c.TLSIssuer = tlscert.Config{CACert: complementCACert, CAKey: complementCAKey}
		c.HTTP.TLSListen = ":8448"
		c.Federation.TrustedCAFiles = append(c.Federation.TrustedCAFiles, complementCACert)
	}
	if exists(complementAppServiceDir) {
		c.AppService.RegistrationDir = complementAppServiceDir
	}
}

// applyProfile applies the profile HEARTH_PROFILE names, else the one the
// file's profile key names (file is the file's content), if any.
func applyProfile(c *Config, file []byte, environ []string, exists func(string) bool) error {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	name := env[envPrefix+"PROFILE"]
	if name == "" && len(file) > 0 {
		var peek struct {
			Profile string `yaml:"profile"`
		}
		// Errors are the full decode's to report.
		_ = yaml.NewDecoder(bytes.NewReader(file)).Decode(&peek)
		name = peek.Profile
	}
	if name == "" {
		return nil
	}
	p, ok := profiles[name]
	if !ok {
		return fmt.Errorf("profile %q: want one of %s", name, strings.Join(slices.Sorted(maps.Keys(profiles)), ", "))
	}
	p(c, env, exists)
	c.Profile = name
	return nil
}

// pathExists is the exists of a real start.
func pathExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
