package media

import (
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/singleflight"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/jobs"
)

// Service is the content repository. It is safe for concurrent use, and
// several hearth processes may run one each against the same database and
// the same store.
type Service struct {
	pool       *pgxpool.Pool
	q          *db.Queries
	cfg        Config
	serverName string
	log        *slog.Logger
	now        func() time.Time
	store      Store
	jobs       jobs.Inserter
	remote     Remote
	preview    *previewer
	// making collapses concurrent requests for the same missing thumbnail
	// into one rendering.
	making singleflight.Group
}

// Deps are what the media service needs from the rest of hearth.
type Deps struct {
	Pool       *pgxpool.Pool
	ServerName string
	Logger     *slog.Logger
	// Jobs enqueues thumbnail jobs in upload transactions.
	Jobs jobs.Inserter
	// Store holds the bytes; nil means a LocalStore under Config.Path.
	Store Store
	// Remote fetches other servers' media; nil means NoRemote until
	// federation provides one.
	Remote Remote
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// New returns the media service. cfg must have passed Validate.
func New(deps Deps, cfg Config) (*Service, error) {
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	store := deps.Store
	if store == nil {
		local, err := NewLocalStore(cfg.Path)
		if err != nil {
			return nil, err
		}
		store = local
	}
	remote := deps.Remote
	if remote == nil {
		remote = NoRemote{}
	}
	s := &Service{
		pool:       deps.Pool,
		q:          db.New(),
		cfg:        cfg,
		serverName: deps.ServerName,
		log:        deps.Logger,
		now:        now,
		store:      store,
		jobs:       deps.Jobs,
		remote:     remote,
	}
	p, err := newPreviewer(cfg.URLPreview)
	if err != nil {
		return nil, err
	}
	s.preview = p
	return s, nil
}

// MaxUploadBytes is the largest upload accepted, announced as m.upload.size.
func (s *Service) MaxUploadBytes() int64 { return s.cfg.MaxUploadBytes }

// RegisterWorkers adds the media jobs' workers: it makes the service a
// jobs.WorkerSet.
func (s *Service) RegisterWorkers(w *jobs.Workers) {
	jobs.AddWorker(w, &thumbnailWorker{s: s})
}
