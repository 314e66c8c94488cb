// Package tlscert issues hearth's TLS serving certificate, at every start,
// from a certificate authority whose key hearth is given. Test networks use
// it: Complement, Matrix's test suite, hands each homeserver its CA at
// /complement/ca and expects a certificate for the server name signed by it
// on the federation port. impl/app calls Issue when tls_issuer is set and
// serves the result on http.tls_listen; public servers use a certificate
// from a public CA (http.tls_cert) or a reverse proxy instead.
package tlscert

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"

	"maunium.net/go/mautrix/id"
)

// Config names the certificate authority to issue from.
type Config struct {
	// CACert and CAKey are PEM files of the CA's certificate and its private
	// key (PKCS #1, PKCS #8 or SEC 1). Both or neither.
	CACert string `yaml:"ca_cert"`
	CAKey  string `yaml:"ca_key"`
}

// Enabled reports whether a CA is configured.
func (c Config) Enabled() bool { return c.CACert != "" }

// Validate reports every problem in c.
func (c Config) Validate() error {
	if (c.CACert == "") != (c.CAKey == "") {
		return errors.New("tls_issuer.ca_cert and tls_issuer.ca_key go together")
	}
	return nil
}

// lifetime bounds an issued certificate; a new one is issued at every start.
const lifetime = 365 * 24 * time.Hour

// Issue makes a new ECDSA P-256 key and a certificate for serverName's host
// (a DNS name or an IP address; a port is dropped), valid from an hour
// before now, signed by the configured CA. It fails when the files cannot be
// read, the certificate is not a CA's or the key is not its key.
func Issue(cfg Config, serverName string, now time.Time) (*tls.Certificate, error) {
	ca, caKey, err := loadCA(cfg)
	if err != nil {
		return nil, err
	}
	sn := id.ParseServerName(serverName)
	if sn == nil {
		return nil, fmt.Errorf("issue TLS certificate: invalid server name %q", serverName)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("issue TLS certificate: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("issue TLS certificate: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: sn.Host},
		NotBefore:    now.Add(-time.Hour), // clocks of a test network differ a little
		NotAfter:     now.Add(lifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ca.NotAfter.Before(tmpl.NotAfter) {
		tmpl.NotAfter = ca.NotAfter
	}
	if sn.Type == id.ServerNameDNS {
		tmpl.DNSNames = []string{sn.Host}
	} else {
		tmpl.IPAddresses = []net.IP{net.ParseIP(sn.Host)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("issue TLS certificate for %s: %w", sn.Host, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("issue TLS certificate for %s: %w", sn.Host, err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// loadCA reads the CA's certificate and key and checks that they belong
// together and may sign certificates.
func loadCA(cfg Config) (*x509.Certificate, crypto.Signer, error) {
	certPEM, err := os.ReadFile(cfg.CACert)
	if err != nil {
		return nil, nil, fmt.Errorf("read CA certificate: %w", err)
	}
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, nil, fmt.Errorf("CA certificate %s: no PEM CERTIFICATE block", cfg.CACert)
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("CA certificate %s: %w", cfg.CACert, err)
	}
	if !ca.IsCA {
		return nil, nil, fmt.Errorf("CA certificate %s is not a CA's (basic constraints)", cfg.CACert)
	}
	keyPEM, err := os.ReadFile(cfg.CAKey)
	if err != nil {
		return nil, nil, fmt.Errorf("read CA key: %w", err)
	}
	key, err := parseKey(keyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("CA key %s: %w", cfg.CAKey, err)
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(ca.PublicKey) {
		return nil, nil, fmt.Errorf("CA key %s is not the key of %s", cfg.CAKey, cfg.CACert)
	}
	return ca, key, nil
}

// parseKey reads the first private key of a PEM file, in any of the forms
// openssl and Go write.
func parseKey(b []byte) (crypto.Signer, error) {
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return nil, errors.New("no PEM private key block")
		}
		var key any
		var err error
		switch block.Type {
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		default:
			continue // "EC PARAMETERS", which openssl writes first
		}
		if err != nil {
			return nil, err
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("a %T cannot sign", key)
		}
		return signer, nil
	}
}
