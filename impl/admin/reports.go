package admin

import (
	"context"
	"strconv"

	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/reports"
)

// EventReports lists users' reports of events and says how many match.
func (s *Service) EventReports(ctx context.Context, actor accounts.Principal, f reports.EventReportFilter) ([]reports.EventReport, int64, error) {
	if err := authorize(actor); err != nil {
		return nil, 0, err
	}
	if err := s.freshSummaries(ctx); err != nil { // the rooms' names
		return nil, 0, err
	}
	return s.reports.EventReports(ctx, f)
}

// EventReport returns one event report with the event, or M_NOT_FOUND.
func (s *Service) EventReport(ctx context.Context, actor accounts.Principal, reportID int64) (reports.EventReport, error) {
	if err := authorize(actor); err != nil {
		return reports.EventReport{}, err
	}
	if err := s.freshSummaries(ctx); err != nil {
		return reports.EventReport{}, err
	}
	return s.reports.EventReport(ctx, reportID)
}

// DeleteEventReport deletes an event report (dealt with).
func (s *Service) DeleteEventReport(ctx context.Context, actor accounts.Principal, reportID int64) error {
	if err := authorize(actor); err != nil {
		return err
	}
	if err := s.reports.DeleteEventReport(ctx, reportID); err != nil {
		return err
	}
	s.audit(ctx, actor, "event_report.delete", strconv.FormatInt(reportID, 10), nil)
	return nil
}
