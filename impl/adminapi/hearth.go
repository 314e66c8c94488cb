package adminapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/synapseadmin"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/admin"
)

// ListAuditLog serves GET /_hearth/admin/v1/audit_log.
func (s *Server) ListAuditLog(ctx context.Context, r api.ListAuditLogRequestObject) (api.ListAuditLogResponseObject, error) {
	p := r.Params
	q := admin.AuditQuery{Actor: deref(p.Actor), Action: deref(p.Action), Target: deref(p.Target), Offset: deref(p.From), Limit: limitOf(p.Limit)}
	entries, total, err := s.admin.AuditLog(ctx, accounts.Caller(ctx), q)
	if err != nil {
		return nil, err
	}
	out := api.ListAuditLog200JSONResponse{Entries: make([]api.AuditEntry, len(entries)), Total: int(total),
		NextToken: nextToken(q.Offset, len(entries), total)}
	for i, e := range entries {
		out.Entries[i] = api.AuditEntry{Id: e.ID, Actor: string(e.Actor), Action: e.Action, Target: e.Target, Details: e.Details, Ts: ms(e.At)}
	}
	return out, nil
}

// GetOverview serves GET /_hearth/admin/v1/overview.
func (s *Server) GetOverview(ctx context.Context, r api.GetOverviewRequestObject) (api.GetOverviewResponseObject, error) {
	days := 30
	if r.Params.Days != nil {
		days = *r.Params.Days
	}
	o, err := s.admin.Overview(ctx, accounts.Caller(ctx), days)
	if err != nil {
		return nil, err
	}
	c := o.Counts
	out := api.GetOverview200JSONResponse{
		ServerName: s.accounts.ServerName(), ServerVersion: o.Version, StartedTs: ms(o.Started), UptimeSeconds: int64(o.Uptime.Seconds()),
		Users: api.Overview_Users{Total: c.Users, Active: c.ActiveUsers, Admins: c.Admins, Guests: c.Guests, Deactivated: c.Deactivated,
			Locked: c.Locked, Suspended: c.Suspended},
		Rooms:  api.Overview_Rooms{Total: c.Rooms, Public: c.PublicRooms, Blocked: c.BlockedRooms},
		Events: c.Events, Media: api.Overview_Media{Count: c.Media, Bytes: c.MediaBytes}, DatabaseBytes: c.DatabaseBytes,
		Reports: c.Reports, Daily: make([]api.Overview_Daily, len(o.Daily)),
	}
	for i, d := range o.Daily {
		out.Daily[i] = api.Overview_Daily{Day: d.Day.Format("2006-01-02"), Registrations: d.Registrations, Rooms: d.Rooms,
			Events: d.Events, MediaBytes: d.MediaBytes}
	}
	return out, nil
}
