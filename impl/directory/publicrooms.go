package directory

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"maunium.net/go/mautrix/id"
)

// Page sizes of the public room list.
const (
	defaultPageSize = 100
	maxPageSize     = 500
)

// Query asks for a page of a public room list.
type Query struct {
	// Server is whose list: "" or this server's name for the local one.
	Server string
	// Limit is the page size; 0 means the default.
	Limit int
	// Since is a next_batch or prev_batch token of an earlier page.
	Since string
	// Search keeps rooms whose name, topic or canonical alias contains it,
	// in any case.
	Search string
	// RoomTypes keeps rooms of these types, nil standing for rooms with
	// none; a nil RoomTypes keeps every room.
	RoomTypes []*string
	// IncludeAllNetworks and ThirdPartyInstanceID choose application
	// services' networks.
	IncludeAllNetworks   bool
	ThirdPartyInstanceID string
}

// Page is a page of a public room list.
type Page struct {
	Rooms []*Summary
	// NextBatch and PrevBatch are the tokens of the pages after and before
	// this one, "" at either end.
	NextBatch, PrevBatch string
	// Total is how many rooms the list (with the filter) holds in all.
	Total int
}

// PublicRooms returns a page of the public room list (GET and POST
// /publicRooms): the published rooms anyone may join, knock on or read,
// largest first (joined members, then room ID, so the order is stable).
// Application services do not publish networks here yet, so a
// third_party_instance_id lists nothing. Other servers' lists go to
// Remote; without one they are refused (502). A bad token is
// M_INVALID_PARAM.
func (s *Service) PublicRooms(ctx context.Context, q Query) (*Page, error) {
	if q.Server != "" && q.Server != s.serverName {
		if s.remote == nil {
			return nil, mxerr.New(mxerr.Unknown, "this server cannot fetch the room directory of %s: it does not federate yet", q.Server).
				WithStatus(http.StatusBadGateway)
		}
		return s.remote.PublicRooms(ctx, q.Server, q)
	}
	if q.IncludeAllNetworks && q.ThirdPartyInstanceID != "" {
		return nil, mxerr.New(mxerr.InvalidParam, "include_all_networks cannot be combined with third_party_instance_id")
	}
	if q.ThirdPartyInstanceID != "" {
		return &Page{Rooms: []*Summary{}}, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultPageSize
	}
	limit = min(limit, maxPageSize)
	tok, err := parseToken(q.Since)
	if err != nil {
		return nil, err
	}
	if err := s.refresh(ctx, true, nil); err != nil {
		return nil, err
	}

	f := filterOf(q)
	var rows []db.PublicRoomsAfterRow
	if tok.backward {
		before, err := s.q.PublicRoomsBefore(ctx, s.pool, db.PublicRoomsBeforeParams{
			Search: f.search, ByType: f.byType, Untyped: f.untyped, RoomTypes: f.types,
			KeyJoined: tok.joined, KeyRoom: tok.room, MaxRows: int32(limit + 1),
		})
		if err != nil {
			return nil, fmt.Errorf("list public rooms: %w", err)
		}
		for _, r := range before {
			rows = append(rows, db.PublicRoomsAfterRow(r))
		}
	} else {
		rows, err = s.q.PublicRoomsAfter(ctx, s.pool, db.PublicRoomsAfterParams{
			Search: f.search, ByType: f.byType, Untyped: f.untyped, RoomTypes: f.types,
			FromStart: q.Since == "", KeyJoined: tok.joined, KeyRoom: tok.room, MaxRows: int32(limit + 1),
		})
		if err != nil {
			return nil, fmt.Errorf("list public rooms: %w", err)
		}
	}
	more := len(rows) > limit
	rows = rows[:min(len(rows), limit)]
	if tok.backward {
		slices.Reverse(rows)
	}
	page := &Page{Rooms: make([]*Summary, len(rows))}
	for i, r := range rows {
		page.Rooms[i] = publicRoom(r)
	}
	if len(rows) > 0 {
		first, last := page.Rooms[0], page.Rooms[len(rows)-1]
		// Backwards, the rooms after the page are known to exist (the
		// token came from one); forwards, those before it, unless this is
		// the first page.
		if more && !tok.backward || tok.backward {
			page.NextBatch = token{}.at(last)
		}
		if more && tok.backward || !tok.backward && q.Since != "" {
			page.PrevBatch = token{backward: true}.at(first)
		}
		page.Total = int(rows[0].Total)
		return page, nil
	}
	total, err := s.q.PublicRoomsCount(ctx, s.pool, db.PublicRoomsCountParams{
		Search: f.search, ByType: f.byType, Untyped: f.untyped, RoomTypes: f.types,
	})
	if err != nil {
		return nil, fmt.Errorf("count public rooms: %w", err)
	}
	page.Total = int(total)
	return page, nil
}

func publicRoom(r db.PublicRoomsAfterRow) *Summary {
	return summaryFromRow(id.RoomID(r.RoomID), "", db.RoomSummary{
		Name: r.Name, Topic: r.Topic, CanonicalAlias: r.CanonicalAlias, AvatarUrl: r.AvatarUrl, JoinRule: r.JoinRule,
		HistoryVisibility: r.HistoryVisibility, GuestAccess: r.GuestAccess, RoomType: r.RoomType, Encryption: r.Encryption,
		AllowedRoomIds: r.AllowedRoomIds, JoinedMembers: r.JoinedMembers,
	})
}

type filter struct {
	search          string
	byType, untyped bool
	types           []string
}

func filterOf(q Query) filter {
	f := filter{search: strings.ToLower(strings.TrimSpace(q.Search)), types: []string{}}
	if q.RoomTypes != nil {
		f.byType = true
		for _, t := range q.RoomTypes {
			if t == nil {
				f.untyped = true
			} else {
				f.types = append(f.types, *t)
			}
		}
	}
	return f
}

// token is a position in the list: the room a page ended (or began) at.
// Forward tokens list the rooms after it, backward ones those before it.
type token struct {
	backward bool
	joined   int32
	room     string
}

// at is the token of t's direction at a room.
func (t token) at(r *Summary) string {
	dir := "n"
	if t.backward {
		dir = "p"
	}
	return dir + base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(r.JoinedMembers)+"|"+string(r.RoomID)))
}

var errBadToken = mxerr.New(mxerr.InvalidParam, "unknown pagination token")

func parseToken(s string) (token, error) {
	if s == "" {
		return token{}, nil
	}
	var t token
	switch s[0] {
	case 'n':
	case 'p':
		t.backward = true
	default:
		return t, errBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(s[1:])
	if err != nil {
		return t, errBadToken
	}
	joined, room, ok := strings.Cut(string(raw), "|")
	n, err := strconv.ParseInt(joined, 10, 32)
	if !ok || err != nil || n < 0 || !strings.HasPrefix(room, "!") {
		return t, errBadToken
	}
	t.joined, t.room = int32(n), room
	return t, nil
}
