// Package clientapi adapts the generated client-server API to hearth's
// domain packages: each method reads the generated request, makes one domain
// call and builds the generated response. Errors go back to the HTTP
// server's one error handler unchanged. Operations not built yet fall
// through to the embedded Unimplemented, which answers M_UNRECOGNIZED.
package clientapi

import (
	"fmt"

	"github.com/labstack/echo/v4"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accountdata"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/admin"
	"github.com/hearth-hs/hearth/impl/directory"
	"github.com/hearth-hs/hearth/impl/e2ee"
	"github.com/hearth-hs/hearth/impl/ephemeral"
	"github.com/hearth-hs/hearth/impl/httpserver"
	"github.com/hearth-hs/hearth/impl/media"
	"github.com/hearth-hs/hearth/impl/push"
	"github.com/hearth-hs/hearth/impl/reports"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/rooms/timeline"
	"github.com/hearth-hs/hearth/impl/search"
	"github.com/hearth-hs/hearth/impl/syncer"
	"github.com/hearth-hs/hearth/impl/turn"
)

// Deps are the domain services the client API calls.
type Deps struct {
	Accounts  *accounts.Service
	Media     *media.Service
	Rooms     *rooms.Service
	Timeline  *timeline.Reader
	Sync      *syncer.Service
	Directory *directory.Service
	Reports   *reports.Service
	// Profiles, Users and Search serve profiles, the user directory and
	// server-side search.
	Profiles *accounts.Profiles
	Users    *directory.Users
	Search   *search.Service
	// E2EE holds keys, key backup, to-device messages and dehydrated
	// devices.
	E2EE *e2ee.Service
	// AccountData and Ephemeral serve account data and tags; typing,
	// receipts, read markers and presence.
	AccountData *accountdata.Service
	Ephemeral   *ephemeral.Service
	// Push serves push rules, pushers and the notifications list.
	Push *push.Service
	// Admin serves the spec's admin endpoints (whois, suspend, lock).
	Admin *admin.Service
	// TURN issues TURN credentials; nil means no TURN server.
	TURN *turn.Issuer
}

// Config is what the client API announces about this server.
type Config struct {
	ServerName string
	// PublicBaseURL is announced in /.well-known/matrix/client.
	PublicBaseURL string
	WellKnown     WellKnown
	// DefaultRoomVersion is announced in /capabilities.
	DefaultRoomVersion string
}

// WellKnown is what the /.well-known/matrix documents announce.
type WellKnown struct {
	// Server delegates federation ("host:port"); empty answers 404.
	Server string `yaml:"server"`
	// SupportContacts and SupportPage fill /.well-known/matrix/support;
	// with neither, it answers 404.
	SupportContacts []SupportContact `yaml:"support_contacts"`
	SupportPage     string           `yaml:"support_page"`
}

// SupportContact is one contact of /.well-known/matrix/support.
type SupportContact struct {
	// Role is m.role.admin or m.role.security.
	Role         string `yaml:"role"`
	MatrixID     string `yaml:"matrix_id"`
	EmailAddress string `yaml:"email_address"`
}

// Server implements the generated client-server strict interface.
type Server struct {
	api.Unimplemented
	accounts *accounts.Service
	media    *media.Service
	rooms    *rooms.Service
	timeline *timeline.Reader
	sync     *syncer.Service
	dir      *directory.Service
	reports  *reports.Service
	profiles *accounts.Profiles
	users    *directory.Users
	search   *search.Service
	keys     *e2ee.Service
	acctData *accountdata.Service
	eph      *ephemeral.Service
	push     *push.Service
	admin    *admin.Service
	turn     *turn.Issuer
	cfg      Config
}

var _ api.StrictServerInterface = (*Server)(nil)

// New returns the client API adapter.
func New(deps Deps, cfg Config) *Server {
	s := &Server{accounts: deps.Accounts, media: deps.Media, rooms: deps.Rooms, timeline: deps.Timeline, sync: deps.Sync,
		dir: deps.Directory, reports: deps.Reports, keys: deps.E2EE, acctData: deps.AccountData, eph: deps.Ephemeral,
		admin: deps.Admin, turn: deps.TURN, cfg: cfg}
	s.profiles, s.users, s.search = deps.Profiles, deps.Users, deps.Search
	s.push = deps.Push
	return s
}

// API hands the adapter to the HTTP server: the embedded spec for routing
// and validation, the generated routes, and the body limit of uploads.
func (s *Server) API() httpserver.API {
	spec, err := api.GetSwagger()
	if err != nil {
		// The spec is embedded at build time; a broken one is a build bug.
		panic(fmt.Sprintf("embedded client-server spec: %v", err))
	}
	limits := map[string]int64{}
	if s.media != nil {
		for _, op := range mediaOperations {
			limits[op] = s.media.MaxUploadBytes()
		}
	}
	return httpserver.API{
		Spec: spec,
		Register: func(e *echo.Echo) {
			api.RegisterHandlers(e, api.NewStrictHandler(s, nil))
			s.registerStateAliases(e)
		},
		BodyLimits: limits,
		Aliases:    stateAliases,
	}
}
