package ephemeral

import (
	"errors"
	"fmt"
	"time"
)

// TypingConfig is the typing part of hearth's configuration.
type TypingConfig struct {
	// MaxTimeout caps how long one typing notice lasts.
	MaxTimeout time.Duration `yaml:"max_timeout"`
	// SweepInterval is how often each process looks for typing notices
	// that ran out.
	SweepInterval time.Duration `yaml:"sweep_interval"`
}

// DefaultTypingConfig caps notices at two minutes, as Synapse does, and
// sweeps every second.
func DefaultTypingConfig() TypingConfig {
	return TypingConfig{MaxTimeout: 2 * time.Minute, SweepInterval: time.Second}
}

// Validate reports problems in c.
func (c TypingConfig) Validate() error {
	var errs []error
	if c.MaxTimeout <= 0 {
		errs = append(errs, fmt.Errorf("typing.max_timeout: %s is not positive", c.MaxTimeout))
	}
	if c.SweepInterval <= 0 {
		errs = append(errs, fmt.Errorf("typing.sweep_interval: %s is not positive", c.SweepInterval))
	}
	return errors.Join(errs...)
}

// PresenceConfig is the presence part of hearth's configuration.
type PresenceConfig struct {
	// Enabled shares presence with the users who share a room. Off (as on
	// many big servers), the presence endpoints still answer, but /sync
	// carries no presence and nobody is woken for it.
	Enabled bool `yaml:"enabled"`
	// IdleAfter turns online users unavailable after this long with no
	// activity (0: never).
	IdleAfter time.Duration `yaml:"idle_after"`
	// OfflineAfter turns users offline after this long with neither
	// activity nor a /sync (0: never).
	OfflineAfter time.Duration `yaml:"offline_after"`
	// SweepInterval is how often each process looks for users due to go
	// idle or offline.
	SweepInterval time.Duration `yaml:"sweep_interval"`
}

// DefaultPresenceConfig shares presence; users go idle after five minutes
// without activity and offline five minutes after their last sync.
func DefaultPresenceConfig() PresenceConfig {
	return PresenceConfig{Enabled: true, IdleAfter: 5 * time.Minute, OfflineAfter: 5 * time.Minute, SweepInterval: time.Second}
}

// Validate reports problems in c.
func (c PresenceConfig) Validate() error {
	var errs []error
	if c.IdleAfter < 0 {
		errs = append(errs, fmt.Errorf("presence.idle_after: %s is negative", c.IdleAfter))
	}
	if c.OfflineAfter < 0 {
		errs = append(errs, fmt.Errorf("presence.offline_after: %s is negative", c.OfflineAfter))
	}
	if c.SweepInterval <= 0 {
		errs = append(errs, fmt.Errorf("presence.sweep_interval: %s is not positive", c.SweepInterval))
	}
	return errors.Join(errs...)
}
