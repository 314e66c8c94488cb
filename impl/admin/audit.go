package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/accounts"
)

// AuditEntry is one recorded admin action.
type AuditEntry struct {
	ID     int64
	Actor  id.UserID
	Action string
	// Target is what the action was done to: a user, room, media, token or
	// report ID.
	Target  string
	Details json.RawMessage
	At      time.Time
}

// AuditQuery filters the audit log by exact actor, action and target (""
// for any), newest first.
type AuditQuery struct {
	Actor, Action, Target string
	Offset, Limit         int
}

// AuditLog lists recorded admin actions and says how many match in all.
func (s *Service) AuditLog(ctx context.Context, actor accounts.Principal, q AuditQuery) ([]AuditEntry, int64, error) {
	if err := authorize(actor); err != nil {
		return nil, 0, err
	}
	rows, err := s.q.AuditList(ctx, s.pool, db.AuditListParams{Actor: q.Actor, Action: q.Action, Target: q.Target,
		Off: int32(q.Offset), Lim: int32(q.Limit)})
	if err != nil {
		return nil, 0, fmt.Errorf("list audit log: %w", err)
	}
	out := make([]AuditEntry, len(rows))
	var total int64
	for i, r := range rows {
		out[i] = AuditEntry{ID: r.AuditID, Actor: id.UserID(r.Actor), Action: r.Action, Target: r.Target, Details: r.Details, At: r.CreatedAt}
		total = r.Total
	}
	if len(rows) == 0 && q.Offset > 0 {
		q.Offset, q.Limit = 0, 1
		_, total, err = s.AuditLog(ctx, actor, q)
	}
	return out, total, err
}
