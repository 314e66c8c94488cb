package push

import (
	"context"
	"encoding/json"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/stream"
	"github.com/hearth-hs/hearth/impl/syncer"
)

// SyncAccountData is /sync's account data provider with the push rules in
// it: an initial sync carries the user's current m.push_rules (the
// server-default rules merged with theirs) whether or not they ever changed
// a rule; incremental syncs carry it from account data when it changed.
type SyncAccountData struct {
	syncer.AccountData
	Push *Service
}

// GlobalAccountData implements syncer.AccountData.
func (a SyncAccountData) GlobalAccountData(ctx context.Context, user id.UserID, since, upto stream.Pos) ([]json.RawMessage, error) {
	evs, err := a.AccountData.GlobalAccountData(ctx, user, since, upto)
	if err != nil || since != 0 {
		return evs, err
	}
	rs, err := a.Push.Rules(ctx, user)
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, 0, len(evs)+1)
	for _, e := range evs {
		if gjson.GetBytes(e, "type").Str != AccountDataType {
			out = append(out, e)
		}
	}
	ev, err := json.Marshal(struct {
		Type    string          `json:"type"`
		Content json.RawMessage `json:"content"`
	}{AccountDataType, rs.JSON()})
	if err != nil {
		return nil, err
	}
	return append(out, ev), nil
}
