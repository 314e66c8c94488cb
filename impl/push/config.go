package push

import (
	"errors"
	"fmt"
	"time"

	"github.com/hearth-hs/hearth/impl/netguard"
)

// Config is the push part of hearth's configuration.
type Config struct {
	// Deliver lets this process deliver notifications (one process of
	// those sharing the database does at a time); false leaves delivery to
	// the others.
	Deliver bool `yaml:"deliver"`
	// Workers is how many notifications this process posts at once, in
	// the job queue of their own (a process whose jobs.max_workers is 0
	// posts none).
	Workers int `yaml:"workers"`
	// GatewayTimeout bounds one request to a push gateway.
	GatewayTimeout time.Duration `yaml:"gateway_timeout"`
	// AllowCIDRs are the non-public networks push gateways may be in
	// (CIDR notation): pusher URLs come from users, so gateways elsewhere
	// than on public addresses are refused unless listed here.
	AllowCIDRs []string `yaml:"allow_cidrs"`
	// MaxAttempts is how often a notification is tried before it is
	// dropped; River's backoff spaces the attempts (1s, 16s, 81s, ... the
	// fourth power of the attempt in seconds), unless RetryDelay is set.
	MaxAttempts int `yaml:"max_attempts"`
	// RetryDelay, when set, replaces River's backoff: the first retry waits
	// this long and each next one twice as long, up to an hour.
	RetryDelay time.Duration `yaml:"retry_delay"`
	// UnreadEventsCap bounds the events evaluated when a room's unread
	// counts are counted from the user's receipt: only the latest this many
	// unread events count then, so a long-unread room costs at most this
	// much once; later events add to the counts as they come.
	UnreadEventsCap int `yaml:"unread_events_cap"`
	// DeliveryBatch is how many events delivery reads and enqueues in one
	// transaction.
	DeliveryBatch int `yaml:"delivery_batch"`
	// NotificationsScan bounds the events one GET /notifications request
	// evaluates; a page may then hold fewer notifications than asked for,
	// with a next_token to go on.
	NotificationsScan int `yaml:"notifications_scan"`
}

// DefaultConfig returns the configuration hearth runs with when nothing is
// set.
func DefaultConfig() Config {
	return Config{
		Deliver:           true,
		Workers:           32,
		GatewayTimeout:    10 * time.Second,
		MaxAttempts:       8,
		UnreadEventsCap:   1000,
		DeliveryBatch:     100,
		NotificationsScan: 2000,
	}
}

// Validate reports every problem in c.
func (c Config) Validate() error {
	var errs []error
	if c.Workers < 1 || c.Workers > 10000 {
		errs = append(errs, errors.New("push.workers: want 1 to 10000"))
	}
	if c.GatewayTimeout <= 0 {
		errs = append(errs, errors.New("push.gateway_timeout must be positive"))
	}
	if _, err := netguard.New(c.AllowCIDRs, nil); err != nil {
		errs = append(errs, fmt.Errorf("push.allow_cidrs: %w", err))
	}
	if c.MaxAttempts < 1 {
		errs = append(errs, errors.New("push.max_attempts must be at least 1"))
	}
	if c.RetryDelay < 0 {
		errs = append(errs, errors.New("push.retry_delay must not be negative"))
	}
	if c.UnreadEventsCap < 1 {
		errs = append(errs, errors.New("push.unread_events_cap must be at least 1"))
	}
	if c.DeliveryBatch < 1 {
		errs = append(errs, errors.New("push.delivery_batch must be at least 1"))
	}
	if c.NotificationsScan < 1 {
		errs = append(errs, errors.New("push.notifications_scan must be at least 1"))
	}
	return errors.Join(errs...)
}
