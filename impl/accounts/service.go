package accounts

import (
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
)

// Service is the accounts domain. It is safe for concurrent use, and several
// hearth processes may run one each against the same database.
type Service struct {
	pool       *pgxpool.Pool
	q          *db.Queries
	cfg        Config
	serverName string
	log        *slog.Logger
	now        func() time.Time
	passwords  *passwordHasher
	deviceHook DeviceHook

	// lastTouch throttles device last-seen writes to one per touchInterval.
	lastTouch sync.Map // deviceKey → time.Time
}

// touchInterval is how stale a device's last-seen time may get.
const touchInterval = 5 * time.Minute

type deviceKey struct {
	user   id.UserID
	device id.DeviceID
}

// Deps are what the accounts service needs from the rest of hearth.
type Deps struct {
	Pool       *pgxpool.Pool
	ServerName string
	Logger     *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// DeviceHook is told of device deletions and renames in their
	// transactions (impl/e2ee); nil: nobody.
	DeviceHook DeviceHook
}

// New returns the accounts service. cfg must have passed Validate.
func New(deps Deps, cfg Config) *Service {
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	return &Service{
		pool:       deps.Pool,
		q:          db.New(),
		cfg:        cfg,
		serverName: deps.ServerName,
		log:        deps.Logger,
		now:        now,
		passwords:  newPasswordHasher(cfg.Password.Argon2, runtime.GOMAXPROCS(0)),
		deviceHook: deps.DeviceHook,
	}
}

// ServerName is the server name local user IDs are made with.
func (s *Service) ServerName() string { return s.serverName }

// IsLocal tells whether user belongs to this server.
func (s *Service) IsLocal(user id.UserID) bool { return user.Homeserver() == s.serverName }
