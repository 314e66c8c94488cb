package adminapi

import (
	"context"

	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/synapseadmin"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/reports"
)

func eventReport(r reports.EventReport) api.EventReport {
	out := api.EventReport{Id: r.ID, ReceivedTs: ms(r.ReceivedAt), RoomId: string(r.Room), Name: r.RoomName,
		CanonicalAlias: r.RoomAlias, EventId: string(r.Event), UserId: string(r.Reporter), Reason: r.Reason, Sender: strPtr(r.Sender)}
	if r.Score != nil {
		out.Score = new(int(*r.Score))
	}
	return out
}

// ListEventReports serves GET /_synapse/admin/v1/event_reports.
func (s *Server) ListEventReports(ctx context.Context, r api.ListEventReportsRequestObject) (api.ListEventReportsResponseObject, error) {
	p := r.Params
	f := reports.EventReportFilter{Reporter: deref(p.UserId), Room: deref(p.RoomId), Sender: id.UserID(deref(p.EventSenderUserId)),
		Offset: deref(p.From), Limit: limitOf(p.Limit), OldestFirst: deref(p.Dir) == "f"}
	list, total, err := s.admin.EventReports(ctx, accounts.Caller(ctx), f)
	if err != nil {
		return nil, err
	}
	out := api.ListEventReports200JSONResponse{EventReports: make([]api.EventReport, len(list)), Total: int(total),
		NextToken: nextToken(f.Offset, len(list), total)}
	for i, rep := range list {
		out.EventReports[i] = eventReport(rep)
	}
	return out, nil
}

// GetEventReport serves GET /_synapse/admin/v1/event_reports/{reportId}.
func (s *Server) GetEventReport(ctx context.Context, r api.GetEventReportRequestObject) (api.GetEventReportResponseObject, error) {
	rep, err := s.admin.EventReport(ctx, accounts.Caller(ctx), r.ReportId)
	if err != nil {
		return nil, err
	}
	e := eventReport(rep)
	out := api.GetEventReport200JSONResponse{Id: e.Id, ReceivedTs: e.ReceivedTs, RoomId: e.RoomId, Name: e.Name,
		CanonicalAlias: e.CanonicalAlias, EventId: e.EventId, UserId: e.UserId, Reason: e.Reason, Score: e.Score, Sender: e.Sender}
	if rep.EventJSON != nil {
		out.EventJson = &rep.EventJSON
	}
	return out, nil
}

// DeleteEventReport serves DELETE /_synapse/admin/v1/event_reports/{reportId}.
func (s *Server) DeleteEventReport(ctx context.Context, r api.DeleteEventReportRequestObject) (api.DeleteEventReportResponseObject, error) {
	if err := s.admin.DeleteEventReport(ctx, accounts.Caller(ctx), r.ReportId); err != nil {
		return nil, err
	}
	return api.DeleteEventReport200JSONResponse{EmptyJSONResponse: api.EmptyJSONResponse{}}, nil
}
