// Package turn hands clients credentials for the TURN server that relays
// their VoIP calls (GET /_matrix/client/v3/voip/turnServer), in the
// shared-secret REST scheme coturn's use-auth-secret implements: the
// username is "<expiry>:<user ID>" and the password the base64 HMAC-SHA1 of
// it under the secret the TURN server shares, so that the TURN server can
// check them with no call back to hearth. impl/clientapi calls it.
package turn

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// Config is the turn part of hearth's configuration.
type Config struct {
	// URIs are the TURN server's URIs (turn: or turns:), handed to clients.
	// With none, or no shared secret, clients are told there is no TURN
	// server.
	URIs []string `yaml:"uris"`
	// SharedSecret is coturn's static-auth-secret.
	SharedSecret string `yaml:"shared_secret"`
	// TTL is how long credentials are valid.
	TTL time.Duration `yaml:"ttl"`
	// AllowGuests lets guest accounts have credentials too.
	AllowGuests bool `yaml:"allow_guests"`
}

// DefaultConfig has no TURN server; credentials live a day once one is
// set, and guests may have them, as in Synapse.
func DefaultConfig() Config { return Config{TTL: 24 * time.Hour, AllowGuests: true} }

// Validate reports problems in c.
func (c Config) Validate() error {
	var errs []error
	for _, u := range c.URIs {
		if !strings.HasPrefix(u, "turn:") && !strings.HasPrefix(u, "turns:") {
			errs = append(errs, fmt.Errorf("turn.uris: %q is not a turn: or turns: URI", u))
		}
	}
	if c.TTL < time.Second {
		errs = append(errs, errors.New("turn.ttl must be at least a second"))
	}
	return errors.Join(errs...)
}

// Credentials are what a client hands the TURN server.
type Credentials struct {
	Username, Password string
	URIs               []string
	TTL                time.Duration
}

// Issuer makes credentials. A nil Issuer is no TURN server.
type Issuer struct {
	cfg Config
	now func() time.Time
}

// New returns an issuer for cfg; now is the clock (nil: time.Now).
func New(cfg Config, now func() time.Time) *Issuer {
	if now == nil {
		now = time.Now
	}
	return &Issuer{cfg: cfg, now: now}
}

var errGuests = mxerr.New(mxerr.Forbidden, "guests may not use the TURN server")

// Credentials returns credentials for user, valid for the configured TTL;
// ok is false when no TURN server is configured. Guests get M_FORBIDDEN
// unless allowed.
func (s *Issuer) Credentials(user id.UserID, guest bool) (Credentials, bool, error) {
	if s == nil || len(s.cfg.URIs) == 0 || s.cfg.SharedSecret == "" {
		return Credentials{}, false, nil
	}
	if guest && !s.cfg.AllowGuests {
		return Credentials{}, false, errGuests
	}
	expiry := s.now().Add(s.cfg.TTL).Unix()
	username := strconv.FormatInt(expiry, 10) + ":" + string(user)
	return Credentials{
		Username: username,
		Password: Password(s.cfg.SharedSecret, username),
		URIs:     s.cfg.URIs,
		TTL:      s.cfg.TTL,
	}, true, nil
}

// Password is the password of username under secret: base64 of
// HMAC-SHA1(secret, username), what a TURN server checks.
func Password(secret, username string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
