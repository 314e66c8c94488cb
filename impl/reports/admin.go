package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
)

// This file holds what server admins read of reports (impl/admin calls
// it): Synapse's event reports.

// EventReport is a user's report of an event, with what this server knows
// of the event and its room.
type EventReport struct {
	ID         int64
	Reporter   id.UserID
	Room       id.RoomID
	Event      id.EventID
	Reason     *string
	Score      *int32
	ReceivedAt time.Time
	// RoomName and RoomAlias are nil when the room has none or is gone.
	RoomName, RoomAlias *string
	// Sender is the event's sender, "" when this server lacks the event.
	Sender id.UserID
	// Event JSON is the event as stored (federation form); nil when this
	// server lacks it. Only EventReport fills it.
	EventJSON json.RawMessage
}

// EventReportFilter narrows the event report list: reporters and rooms
// whose IDs contain the given text, an exact event sender ("" for any).
type EventReportFilter struct {
	Reporter, Room string
	Sender         id.UserID
	Offset, Limit  int
	// OldestFirst lists in the order reports came; newest first otherwise.
	OldestFirst bool
}

var errNoSuchReport = mxerr.New(mxerr.NotFound, "event report not found")

// EventReports lists event reports and says how many match in all.
func (s *Service) EventReports(ctx context.Context, f EventReportFilter) ([]EventReport, int64, error) {
	rows, err := s.q.EventReportList(ctx, s.pool, db.EventReportListParams{
		Reporter: f.Reporter, Room: f.Room, Sender: string(f.Sender), Descending: !f.OldestFirst,
		Off: int32(f.Offset), Lim: int32(f.Limit),
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list event reports: %w", err)
	}
	out := make([]EventReport, len(rows))
	var total int64
	for i, r := range rows {
		out[i] = EventReport{ID: r.ReportID, Reporter: id.UserID(r.Reporter), Room: id.RoomID(r.RoomID),
			Event: id.EventID(r.EventID), Reason: r.Reason, Score: r.Score, ReceivedAt: r.CreatedAt,
			RoomName: r.Name, RoomAlias: r.CanonicalAlias, Sender: id.UserID(r.Sender)}
		total = r.Total
	}
	if len(rows) == 0 && f.Offset > 0 {
		f.Offset, f.Limit = 0, 1
		_, total, err = s.EventReports(ctx, f)
	}
	return out, total, err
}

// EventReport returns one event report with the event, or M_NOT_FOUND.
func (s *Service) EventReport(ctx context.Context, reportID int64) (EventReport, error) {
	r, err := s.q.EventReportGet(ctx, s.pool, reportID)
	if pg.IsNoRows(err) {
		return EventReport{}, errNoSuchReport
	}
	if err != nil {
		return EventReport{}, fmt.Errorf("get event report %d: %w", reportID, err)
	}
	return EventReport{ID: r.ReportID, Reporter: id.UserID(r.Reporter), Room: id.RoomID(r.RoomID),
		Event: id.EventID(r.EventID), Reason: r.Reason, Score: r.Score, ReceivedAt: r.CreatedAt,
		RoomName: r.Name, RoomAlias: r.CanonicalAlias, Sender: id.UserID(r.Sender), EventJSON: r.Pdu}, nil
}

// DeleteEventReport deletes an event report, or answers M_NOT_FOUND.
func (s *Service) DeleteEventReport(ctx context.Context, reportID int64) error {
	n, err := s.q.EventReportDelete(ctx, s.pool, reportID)
	if err != nil {
		return fmt.Errorf("delete event report %d: %w", reportID, err)
	}
	if n == 0 {
		return errNoSuchReport
	}
	return nil
}
