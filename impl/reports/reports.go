// Package reports stores users' reports of events, rooms and users (the
// client-server API's "Reporting content"), for server admins to read
// through the admin API. The client API adapter calls it.
package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/rooms/timeline"
)

// Events reads an event as a user may see it; events they may not see are
// M_NOT_FOUND. timeline.Reader is one.
type Events interface {
	Event(ctx context.Context, room id.RoomID, ev id.EventID, v timeline.Viewer) (json.RawMessage, error)
}

// Users tells whether a local account exists. accounts.Service is one.
type Users interface {
	Exists(ctx context.Context, user id.UserID) (bool, error)
}

// Deps are what reports need.
type Deps struct {
	Pool       *pgxpool.Pool
	ServerName string
	Rooms      *rooms.Service
	Events     Events
	Users      Users
	Logger     *slog.Logger
}

// Service stores reports. It is safe for concurrent use.
type Service struct {
	pool       *pgxpool.Pool
	q          *db.Queries
	serverName string
	rooms      *rooms.Service
	events     Events
	users      Users
	log        *slog.Logger
}

// New returns the reports service.
func New(deps Deps) *Service {
	return &Service{pool: deps.Pool, q: db.New(), serverName: deps.ServerName, rooms: deps.Rooms,
		events: deps.Events, users: deps.Users, log: deps.Logger}
}

// One error for a missing event and for a reporter not joined to its room,
// as v1.19 says, so that a report does not tell which.
var errEventNotFound = mxerr.New(mxerr.NotFound, "the event was not found or you are not joined to its room")

// ReportEvent stores reporter's report of an event (POST
// /rooms/{roomId}/report/{eventId}). The reporter must be joined to the
// room and able to see the event; otherwise, and for unknown rooms and
// events, it answers M_NOT_FOUND. The reason is optional (nil).
func (s *Service) ReportEvent(ctx context.Context, reporter id.UserID, room id.RoomID, ev id.EventID, reason *string) error {
	m, err := s.rooms.Membership(ctx, room, reporter)
	if err != nil {
		return err
	}
	if m != event.MembershipJoin {
		return errEventNotFound
	}
	if _, err := s.events.Event(ctx, room, ev, timeline.Viewer{User: reporter}); err != nil {
		if mxerr.CodeOf(err) == mxerr.NotFound {
			return errEventNotFound
		}
		return err
	}
	return s.insert(ctx, db.ReportInsertParams{Reporter: string(reporter), RoomID: ptr(string(room)), EventID: ptr(string(ev)), Reason: reason})
}

// ReportRoom stores reporter's report of a room (POST
// /rooms/{roomId}/report), which they need not be in. Rooms this server
// does not know are M_NOT_FOUND (v1.19 allows answering 200 instead; the
// room ID space is too large to enumerate).
func (s *Service) ReportRoom(ctx context.Context, reporter id.UserID, room id.RoomID, reason string) error {
	known, err := s.rooms.Known(ctx, room)
	if err != nil {
		return err
	}
	if !known {
		return mxerr.New(mxerr.NotFound, "the room was not found")
	}
	return s.insert(ctx, db.ReportInsertParams{Reporter: string(reporter), RoomID: ptr(string(room)), Reason: ptr(reason)})
}

// ReportUser stores reporter's report of a user (POST
// /users/{userId}/report). Local users who do not exist are M_NOT_FOUND;
// users of other servers cannot be checked without federation and are
// taken as they are.
func (s *Service) ReportUser(ctx context.Context, reporter, user id.UserID, reason string) error {
	if user.Homeserver() == s.serverName {
		ok, err := s.users.Exists(ctx, user)
		if err != nil {
			return err
		}
		if !ok {
			return mxerr.New(mxerr.NotFound, "the user was not found")
		}
	}
	return s.insert(ctx, db.ReportInsertParams{Reporter: string(reporter), ReportedUser: ptr(string(user)), Reason: ptr(reason)})
}

func (s *Service) insert(ctx context.Context, p db.ReportInsertParams) error {
	n, err := s.q.ReportInsert(ctx, s.pool, p)
	if err != nil {
		return fmt.Errorf("store report: %w", err)
	}
	s.log.InfoContext(ctx, "stored report", "report_id", n, "user_id", p.Reporter)
	return nil
}

func ptr[T any](v T) *T { return &v }
