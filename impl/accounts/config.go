package accounts

import (
	"errors"
	"fmt"
	"time"
)

// Registration modes.
const (
	RegistrationOpen   = "open"   // anyone may register (UIA: m.login.dummy)
	RegistrationToken  = "token"  // a registration token is needed
	RegistrationClosed = "closed" // only admins create accounts
)

// Config is the accounts part of hearth's configuration.
type Config struct {
	// Registration is set from the top-level registration section.
	Registration RegistrationConfig `yaml:"-"`
	Password     PasswordConfig     `yaml:"password"`
	// AccessTokenLifetime bounds the access tokens of clients that asked for a
	// refresh token; other clients get tokens that do not expire.
	AccessTokenLifetime time.Duration `yaml:"access_token_lifetime"`
	// LoginTokenLifetime bounds the tokens of POST /login/get_token.
	LoginTokenLifetime time.Duration `yaml:"login_token_lifetime"`
	// UIASessionLifetime is how long a user-interactive auth session lives.
	UIASessionLifetime time.Duration `yaml:"uia_session_lifetime"`
	// OpenIDTokenLifetime bounds the tokens of POST
	// /user/{userId}/openid/request_token.
	OpenIDTokenLifetime time.Duration `yaml:"openid_token_lifetime"`
}

// RegistrationConfig says who may create accounts.
type RegistrationConfig struct {
	Mode string `yaml:"mode"`
	// SharedSecret enables Synapse's shared-secret admin registration when set.
	SharedSecret string `yaml:"shared_secret"`
	AllowGuests  bool   `yaml:"allow_guests"`
	// Reserved lists localparts nobody may register.
	Reserved []string `yaml:"reserved"`
}

// PasswordConfig sets password policy and the argon2id cost.
type PasswordConfig struct {
	MinLength int          `yaml:"min_length"`
	Argon2    Argon2Config `yaml:"argon2"`
}

// Argon2Config is the argon2id cost; the defaults follow OWASP's minimum.
type Argon2Config struct {
	MemoryKiB   uint32 `yaml:"memory_kib"`
	Iterations  uint32 `yaml:"iterations"`
	Parallelism uint8  `yaml:"parallelism"`
}

// DefaultConfig returns the configuration hearth runs with when nothing is set.
func DefaultConfig() Config {
	return Config{
		Registration: RegistrationConfig{
			Mode:     RegistrationClosed,
			Reserved: []string{"admin", "administrator", "root", "system", "server", "support", "notices"},
		},
		Password: PasswordConfig{
			MinLength: 8,
			Argon2:    Argon2Config{MemoryKiB: 19 * 1024, Iterations: 2, Parallelism: 1},
		},
		AccessTokenLifetime: 5 * time.Minute,
		LoginTokenLifetime:  2 * time.Minute,
		UIASessionLifetime:  time.Hour,
		OpenIDTokenLifetime: time.Hour,
	}
}

// Validate reports every problem in c.
func (c Config) Validate() error {
	var errs []error
	switch c.Registration.Mode {
	case RegistrationOpen, RegistrationToken, RegistrationClosed:
	default:
		errs = append(errs, fmt.Errorf("registration.mode %q: want open, token or closed", c.Registration.Mode))
	}
	if c.Password.Argon2.MemoryKiB < 8 || c.Password.Argon2.Iterations < 1 || c.Password.Argon2.Parallelism < 1 {
		errs = append(errs, errors.New("password.argon2: memory_kib ≥ 8, iterations ≥ 1 and parallelism ≥ 1 are needed"))
	}
	if c.AccessTokenLifetime <= 0 || c.LoginTokenLifetime <= 0 || c.UIASessionLifetime <= 0 || c.OpenIDTokenLifetime <= 0 {
		errs = append(errs, errors.New("token and session lifetimes must be positive"))
	}
	return errors.Join(errs...)
}
