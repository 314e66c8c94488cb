package push

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/netguard"
	"github.com/hearth-hs/hearth/impl/stream"
)

// Jobs enqueues delivery jobs in the caller's transaction (impl/jobs'
// Queue).
type Jobs interface {
	InsertManyTx(ctx context.Context, tx pgx.Tx, jobs []river.InsertManyParams) error
}

// AccountData stores the m.push_rules account data clients read in /sync
// (impl/accountdata).
type AccountData interface {
	SetGlobalTx(ctx context.Context, q db.DBTX, user id.UserID, typ string, content []byte) error
}

// Positions gives safe stream positions and wakes delivery when rooms
// change (impl/stream's Notifier).
type Positions interface {
	Refresh(ctx context.Context) (stream.Pos, error)
	Safe() stream.Pos
	// Ready is closed once changes are heard: a change before then wakes
	// no waiter.
	Ready() <-chan struct{}
	Wait(ctx context.Context, after stream.Pos, match func(stream.Change) bool) (stream.Pos, error)
}

// Deps are what push needs from the rest of hearth.
type Deps struct {
	Pool        *pgxpool.Pool
	ServerName  string
	Positions   Positions
	Jobs        Jobs
	AccountData AccountData
	Logger      *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// HTTPClient posts to push gateways; nil means a client with
	// Config.GatewayTimeout.
	HTTPClient *http.Client
}

// Service holds push rules, pushers, counts and delivery. It is safe for
// concurrent use, by several hearth processes sharing a database too.
type Service struct {
	pool       *pgxpool.Pool
	q          *db.Queries
	serverName string
	positions  Positions
	jobs       Jobs
	acct       AccountData
	log        *slog.Logger
	now        func() time.Time
	http       *http.Client
	cfg        Config

	mu       sync.Mutex
	compiled map[id.UserID]compiledRules
	// infos are the latest notified events, for their jobs.
	infos eventInfos
}

// compiledRules is a user's compiled ruleset at a version of their stored
// rules (0: the defaults alone).
type compiledRules struct {
	version int64
	ev      *Evaluator
}

// maxCompiled bounds the compiled rulesets kept in memory.
const maxCompiled = 50000

// New returns the push service. cfg must have passed Validate.
func New(deps Deps, cfg Config) *Service {
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	client := deps.HTTPClient
	if client == nil {
		client = gatewayClient(cfg)
	}
	return &Service{
		pool: deps.Pool, q: db.New(), serverName: deps.ServerName, positions: deps.Positions, jobs: deps.Jobs,
		acct: deps.AccountData, log: deps.Logger, now: now, http: client, cfg: cfg,
		compiled: map[id.UserID]compiledRules{},
	}
}

// gatewayClient posts to push gateways on public addresses (and the
// allowed networks), directly: a proxy would hide the address dialled.
func gatewayClient(cfg Config) *http.Client {
	guard, err := netguard.New(cfg.AllowCIDRs, nil)
	if err != nil {
		guard = &netguard.Guard{} // Validate refused it already
	}
	dialer := &net.Dialer{Timeout: cfg.GatewayTimeout, KeepAlive: 30 * time.Second, Control: guard.Control}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = dialer.DialContext
	// Most notifications go to a few gateways: keep connections to them
	// open.
	tr.MaxIdleConnsPerHost = 32
	return &http.Client{Timeout: cfg.GatewayTimeout, Transport: tr,
		// A gateway is an API endpoint: it answers, it does not redirect.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// isLocal tells whether a user belongs to this server.
func (s *Service) isLocal(user id.UserID) bool { return user.Homeserver() == s.serverName }
