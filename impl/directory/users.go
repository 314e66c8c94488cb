package directory

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5/pgxpool"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

// Limits of a user directory search.
const (
	defaultUserLimit = 10
	maxUserLimit     = 100
	// maxTermWords bounds the words of a search term that count.
	maxTermWords = 8
)

// UsersConfig is the user directory's part of hearth's configuration.
type UsersConfig struct {
	// SearchAllUsers lets every user find every local user. Otherwise a
	// user finds the users they share a room with and those in rooms with
	// a public join rule or world-readable history, the least the spec
	// asks (v1.19 client-server, User directory).
	SearchAllUsers bool `yaml:"search_all_users"`
}

// UsersDeps are what the user directory needs.
type UsersDeps struct {
	Pool   *pgxpool.Pool
	Logger *slog.Logger
}

// Users is the user directory: local users found by user ID and display
// name. It reads users, profiles and memberships where their owners keep
// them, through indexes (migration 00008), so the write paths do nothing
// for it. Other servers' users will join it with federation. It is safe
// for concurrent use.
type Users struct {
	pool *pgxpool.Pool
	q    *db.Queries
	log  *slog.Logger
	cfg  UsersConfig
}

// NewUsers returns the user directory.
func NewUsers(deps UsersDeps, cfg UsersConfig) *Users {
	return &Users{pool: deps.Pool, q: db.New(), log: deps.Logger, cfg: cfg}
}

// User is one result of a user directory search.
type User struct {
	UserID id.UserID
	// DisplayName and AvatarURL are "" when unset.
	DisplayName string
	AvatarURL   string
}

// UserResults are the users a search found.
type UserResults struct {
	Users []User
	// Limited tells that more users matched than were returned.
	Limited bool
}

// SearchUsers finds the users searcher may see (see UsersConfig) whose
// localpart or display name has words starting with each word of term,
// case-insensitively, best matches first. A term given as a user ID
// searches by its localpart. limit defaults to 10 and is at most 100; one
// under 1 is M_INVALID_PARAM.
func (u *Users) SearchUsers(ctx context.Context, searcher id.UserID, term string, limit *int) (*UserResults, error) {
	n := defaultUserLimit
	if limit != nil {
		if *limit < 1 {
			return nil, mxerr.New(mxerr.InvalidParam, "limit must be positive")
		}
		n = min(*limit, maxUserLimit)
	}
	term = strings.ToLower(strings.TrimSpace(term))
	if strings.HasPrefix(term, "@") {
		term, _, _ = strings.Cut(term[1:], ":")
	}
	query := prefixQuery(term)
	if query == "" {
		return &UserResults{Users: []User{}}, nil
	}
	var rows []db.UserDirectorySearchVisibleRow
	var err error
	if u.cfg.SearchAllUsers {
		var all []db.UserDirectorySearchAllRow
		all, err = u.q.UserDirectorySearchAll(ctx, u.pool, db.UserDirectorySearchAllParams{Query: query, Term: term, MaxRows: int32(n + 1)})
		for _, r := range all {
			rows = append(rows, db.UserDirectorySearchVisibleRow(r))
		}
	} else {
		rows, err = u.q.UserDirectorySearchVisible(ctx, u.pool, db.UserDirectorySearchVisibleParams{
			Query: query, Term: term, Searcher: string(searcher), MaxRows: int32(n + 1),
		})
	}
	if err != nil {
		return nil, fmt.Errorf("search the user directory: %w", err)
	}
	out := &UserResults{Users: make([]User, 0, min(len(rows), n))}
	for i, r := range rows {
		if i == n {
			out.Limited = true
			break
		}
		user := User{UserID: r.UserID}
		if r.Displayname != nil {
			user.DisplayName = *r.Displayname
		}
		if r.AvatarUrl != nil {
			user.AvatarURL = *r.AvatarUrl
		}
		out.Users = append(out.Users, user)
	}
	return out, nil
}

// prefixQuery makes the tsquery of a search term: each word (a run of
// letters and digits) as a prefix, all of them required. Nothing else of
// the term reaches the query, so it cannot carry tsquery syntax. It is ""
// when the term has no word.
func prefixQuery(term string) string {
	words := strings.FieldsFunc(term, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) > maxTermWords {
		words = words[:maxTermWords]
	}
	for i, w := range words {
		words[i] = "'" + w + "':*"
	}
	return strings.Join(words, " & ")
}
