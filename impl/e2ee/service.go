package e2ee

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/stream"
)

// Config is the end-to-end encryption part of hearth's configuration.
type Config struct {
	// ToDeviceLimit caps the to-device messages one sync response (or one
	// batch of a dehydrated device's messages) carries; the rest come with
	// the next.
	ToDeviceLimit int `yaml:"to_device_limit"`
	// ToDeviceTxnLifetime is how long a to-device transaction ID is
	// remembered, so that a retried send is not sent twice.
	ToDeviceTxnLifetime time.Duration `yaml:"to_device_txn_lifetime"`
}

// DefaultConfig returns the defaults: 100 to-device messages a sync, as
// Synapse sends; transaction IDs kept for a day.
func DefaultConfig() Config { return Config{ToDeviceLimit: 100, ToDeviceTxnLifetime: 24 * time.Hour} }

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.ToDeviceLimit < 1 {
		errs = append(errs, fmt.Errorf("e2ee.to_device_limit must be at least 1, not %d", c.ToDeviceLimit))
	}
	if c.ToDeviceTxnLifetime < time.Minute {
		errs = append(errs, fmt.Errorf("e2ee.to_device_txn_lifetime must be at least a minute, not %s", c.ToDeviceTxnLifetime))
	}
	return errors.Join(errs...)
}

// Accounts is what end-to-end encryption needs of impl/accounts: user-
// interactive auth for replacing cross-signing keys, and devices without
// tokens for dehydrated devices.
type Accounts interface {
	Interactive(ctx context.Context, op accounts.Operation, user id.UserID, auth *accounts.AuthData) error
	CreateDeviceTx(ctx context.Context, tx pgx.Tx, user id.UserID, device id.DeviceID, displayName *string) error
	DeleteDevicesTx(ctx context.Context, tx pgx.Tx, user id.UserID, devices []id.DeviceID) error
}

// Positions gives the newest stream position whose changes are all
// committed (a *stream.Notifier).
type Positions interface {
	Refresh(ctx context.Context) (stream.Pos, error)
}

// Remote reaches the keys and devices of other servers' users: the
// federation seam. Federation implements it with /_matrix/federation/v1/
// user/keys/query, user/keys/claim and m.direct_to_device EDUs. An error
// from QueryKeys or ClaimKeys is reported as the server's failure.
type Remote interface {
	QueryKeys(ctx context.Context, server string, query map[id.UserID][]id.DeviceID) (*RemoteKeys, error)
	ClaimKeys(ctx context.Context, server string, claim map[id.UserID]map[id.DeviceID]string) (map[id.UserID]map[id.DeviceID]map[string]json.RawMessage, error)
	SendToDevice(ctx context.Context, server string, sender id.UserID, eventType string, messages map[id.UserID]map[string]json.RawMessage) error
}

// RemoteKeys are another server's answer to a keys query.
type RemoteKeys struct {
	DeviceKeys                  map[id.UserID]map[id.DeviceID]json.RawMessage
	MasterKeys, SelfSigningKeys map[id.UserID]json.RawMessage
}

// errNoFederation is every remote failure until federation is built.
var errNoFederation = errors.New("federation is not available")

// Deps are what the end-to-end encryption service needs.
type Deps struct {
	Pool       *pgxpool.Pool
	ServerName string
	Logger     *slog.Logger
	Accounts   Accounts
	Positions  Positions
	// Remote reaches other servers' users; nil reports them as failures.
	Remote Remote
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service is end-to-end encryption's server side. It is safe for
// concurrent use, and several hearth processes may run one each against
// the same database.
type Service struct {
	pool       *pgxpool.Pool
	q          *db.Queries
	cfg        Config
	serverName string
	log        *slog.Logger
	accounts   Accounts
	positions  Positions
	remote     Remote
	now        func() time.Time
}

// New returns the service. cfg must have passed Validate.
func New(deps Deps, cfg Config) *Service {
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	return &Service{
		now:        now,
		pool:       deps.Pool,
		q:          db.New(),
		cfg:        cfg,
		serverName: deps.ServerName,
		log:        deps.Logger,
		accounts:   deps.Accounts,
		positions:  deps.Positions,
		remote:     deps.Remote,
	}
}

func (s *Service) isLocal(user id.UserID) bool { return user.Homeserver() == s.serverName }

// lockTx serialises the writers of one user's keys of one kind until tx
// ends.
func (s *Service) lockTx(ctx context.Context, tx pgx.Tx, kind string, user id.UserID) error {
	if err := s.q.E2ELock(ctx, tx, kind+":"+string(user)); err != nil {
		return fmt.Errorf("lock %s of %s: %w", kind, user, err)
	}
	return nil
}

func userStrings(users []id.UserID) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = string(u)
	}
	return out
}
