package clientapi

import (
	"context"
	"encoding/json"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/push"
)

// GetPushRules serves GET /_matrix/client/v3/pushrules/.
func (s *Server) GetPushRules(ctx context.Context, _ api.GetPushRulesRequestObject) (api.GetPushRulesResponseObject, error) {
	rs, err := s.push.Rules(ctx, accounts.Caller(ctx).UserID)
	if err != nil {
		return nil, err
	}
	return api.GetPushRules200JSONResponse(rs.JSON()), nil
}

// GetPushRulesGlobal serves GET /_matrix/client/v3/pushrules/global/.
func (s *Server) GetPushRulesGlobal(ctx context.Context, _ api.GetPushRulesGlobalRequestObject) (api.GetPushRulesGlobalResponseObject, error) {
	rs, err := s.push.Rules(ctx, accounts.Caller(ctx).UserID)
	if err != nil {
		return nil, err
	}
	return api.GetPushRulesGlobal200JSONResponse(rs.GlobalJSON()), nil
}

// GetPushRule serves GET /_matrix/client/v3/pushrules/global/{kind}/{ruleId}.
func (s *Server) GetPushRule(ctx context.Context, r api.GetPushRuleRequestObject) (api.GetPushRuleResponseObject, error) {
	rule, err := s.pushRule(ctx, string(r.Kind), r.RuleId)
	if err != nil {
		return nil, err
	}
	b, err := rule.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return api.GetPushRule200JSONResponse(b), nil
}

// SetPushRule serves PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}.
func (s *Server) SetPushRule(ctx context.Context, r api.SetPushRuleRequestObject) (api.SetPushRuleResponseObject, error) {
	kind, err := push.ParseKind(string(r.Kind))
	if err != nil {
		return nil, err
	}
	err = s.push.PutRule(ctx, accounts.Caller(ctx).UserID, kind, r.RuleId, *r.Body, deref(r.Params.Before), deref(r.Params.After))
	if err != nil {
		return nil, err
	}
	return api.SetPushRule200JSONResponse{}, nil
}

// DeletePushRule serves DELETE /_matrix/client/v3/pushrules/global/{kind}/{ruleId}.
func (s *Server) DeletePushRule(ctx context.Context, r api.DeletePushRuleRequestObject) (api.DeletePushRuleResponseObject, error) {
	kind, err := push.ParseKind(string(r.Kind))
	if err != nil {
		return nil, err
	}
	if err := s.push.DeleteRule(ctx, accounts.Caller(ctx).UserID, kind, r.RuleId); err != nil {
		return nil, err
	}
	return api.DeletePushRule200JSONResponse{}, nil
}

// GetPushRuleActions serves GET /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/actions.
func (s *Server) GetPushRuleActions(ctx context.Context, r api.GetPushRuleActionsRequestObject) (api.GetPushRuleActionsResponseObject, error) {
	rule, err := s.pushRule(ctx, string(r.Kind), r.RuleId)
	if err != nil {
		return nil, err
	}
	actions := make([]any, len(rule.Actions))
	for i, a := range rule.Actions {
		actions[i] = a.Raw // written as it is stored
	}
	return api.GetPushRuleActions200JSONResponse{Actions: actions}, nil
}

// SetPushRuleActions serves PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/actions.
func (s *Server) SetPushRuleActions(ctx context.Context, r api.SetPushRuleActionsRequestObject) (api.SetPushRuleActionsResponseObject, error) {
	kind, err := push.ParseKind(string(r.Kind))
	if err != nil {
		return nil, err
	}
	actions := make([]json.RawMessage, len(r.Body.Actions))
	for i, a := range r.Body.Actions {
		if actions[i], err = json.Marshal(a); err != nil {
			return nil, err
		}
	}
	if err := s.push.SetRuleActions(ctx, accounts.Caller(ctx).UserID, kind, r.RuleId, actions); err != nil {
		return nil, err
	}
	return api.SetPushRuleActions200JSONResponse{}, nil
}

// IsPushRuleEnabled serves GET /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/enabled.
func (s *Server) IsPushRuleEnabled(ctx context.Context, r api.IsPushRuleEnabledRequestObject) (api.IsPushRuleEnabledResponseObject, error) {
	rule, err := s.pushRule(ctx, string(r.Kind), r.RuleId)
	if err != nil {
		return nil, err
	}
	return api.IsPushRuleEnabled200JSONResponse{Enabled: rule.Enabled}, nil
}

// SetPushRuleEnabled serves PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/enabled.
func (s *Server) SetPushRuleEnabled(ctx context.Context, r api.SetPushRuleEnabledRequestObject) (api.SetPushRuleEnabledResponseObject, error) {
	kind, err := push.ParseKind(string(r.Kind))
	if err != nil {
		return nil, err
	}
	if err := s.push.SetRuleEnabled(ctx, accounts.Caller(ctx).UserID, kind, r.RuleId, r.Body.Enabled); err != nil {
		return nil, err
	}
	return api.SetPushRuleEnabled200JSONResponse{}, nil
}

func (s *Server) pushRule(ctx context.Context, kind, ruleID string) (push.Rule, error) {
	k, err := push.ParseKind(kind)
	if err != nil {
		return push.Rule{}, err
	}
	return s.push.Rule(ctx, accounts.Caller(ctx).UserID, k, ruleID)
}

// GetPushers serves GET /_matrix/client/v3/pushers.
func (s *Server) GetPushers(ctx context.Context, _ api.GetPushersRequestObject) (api.GetPushersResponseObject, error) {
	ps, err := s.push.Pushers(ctx, accounts.Caller(ctx).UserID)
	if err != nil {
		return nil, err
	}
	out := make([]api.GetPushers200JSONResponseBody_Pushers, len(ps))
	for i, p := range ps {
		out[i] = api.GetPushers200JSONResponseBody_Pushers{AppId: p.AppID, Pushkey: p.Pushkey, Kind: p.Kind,
			AppDisplayName: p.AppDisplayName, DeviceDisplayName: p.DeviceDisplayName, ProfileTag: p.ProfileTag,
			Lang: p.Lang, Data: p.Data}
	}
	return api.GetPushers200JSONResponse{Pushers: &out}, nil
}

// PostPusher serves POST /_matrix/client/v3/pushers/set.
func (s *Server) PostPusher(ctx context.Context, r api.PostPusherRequestObject) (api.PostPusherResponseObject, error) {
	who := accounts.Caller(ctx)
	b := r.Body
	err := s.push.SetPusher(ctx, who.UserID, who.DeviceID, push.PusherParams{
		Kind: b.Kind, AppID: b.AppId, Pushkey: b.Pushkey, AppDisplayName: b.AppDisplayName,
		DeviceDisplayName: b.DeviceDisplayName, ProfileTag: b.ProfileTag, Lang: b.Lang, Data: b.Data,
		Append: b.Append != nil && *b.Append,
	})
	if err != nil {
		return nil, err
	}
	return api.PostPusher200JSONResponse{}, nil
}

// GetNotifications serves GET /_matrix/client/v3/notifications.
func (s *Server) GetNotifications(ctx context.Context, r api.GetNotificationsRequestObject) (api.GetNotificationsResponseObject, error) {
	limit := 0
	if r.Params.Limit != nil {
		limit = *r.Params.Limit
	}
	page, err := s.push.Notifications(ctx, accounts.Caller(ctx).UserID, deref(r.Params.From), limit, deref(r.Params.Only))
	if err != nil {
		return nil, err
	}
	out := api.GetNotifications200JSONResponse{Notifications: make([]api.GetNotifications200JSONResponseBody_Notifications, len(page.Notifications))}
	for i, n := range page.Notifications {
		actions := make([]any, len(n.Actions))
		for j, a := range n.Actions {
			actions[j] = a
		}
		out.Notifications[i] = api.GetNotifications200JSONResponseBody_Notifications{
			Actions: actions, Event: n.Event, Read: n.Read, RoomId: string(n.RoomID), Ts: n.TS}
	}
	if page.NextToken != "" {
		out.NextToken = &page.NextToken
	}
	return out, nil
}
