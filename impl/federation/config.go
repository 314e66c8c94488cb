package federation

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// Config is the federation part of hearth's configuration. Its settings are
// for the outgoing federation client, which is not built yet: they are here
// so that deployments and test networks can set them now, and the client
// reads them from here.
type Config struct {
	// TrustedCAFiles are PEM files of certificate authorities that outgoing
	// federation requests trust, besides the system's, to verify other
	// servers' TLS certificates: a test network's own CA (Complement's is
	// /complement/ca/ca.crt).
	TrustedCAFiles []string `yaml:"trusted_ca_files"`
	// AllowPrivateAddresses lets outgoing federation requests go to
	// private, loopback and link-local addresses (a Docker network's
	// 172.16.0.0/12). Off, the default, a server name resolving to one is
	// refused, so that nobody can point hearth at its own internal network.
	AllowPrivateAddresses bool `yaml:"allow_private_addresses"`
}

// Validate reports every problem in c: each trusted CA file must hold at
// least one PEM certificate.
func (c Config) Validate() error {
	var errs []error
	for _, path := range c.TrustedCAFiles {
		if err := addFile(x509.NewCertPool(), path); err != nil {
			errs = append(errs, fmt.Errorf("federation.trusted_ca_files: %w", err))
		}
	}
	return errors.Join(errs...)
}

// RootCAs returns the certificate authorities outgoing federation requests
// trust: the system's and TrustedCAFiles.
func (c Config) RootCAs() (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool() // no system store: the files only
	}
	for _, path := range c.TrustedCAFiles {
		if err := addFile(pool, path); err != nil {
			return nil, err
		}
	}
	return pool, nil
}

func addFile(pool *x509.CertPool, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !pool.AppendCertsFromPEM(b) {
		return fmt.Errorf("%s holds no PEM certificate", path)
	}
	return nil
}
