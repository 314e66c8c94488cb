package push

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/stream"
)

// AccountDataType is the account data type clients read the push rules
// from.
const AccountDataType = "m.push_rules"

// Rules returns a user's ruleset.
func (s *Service) Rules(ctx context.Context, user id.UserID) (*Ruleset, error) {
	row, err := s.q.PushRulesGet(ctx, s.pool, user)
	if err != nil && !pg.IsNoRows(err) {
		return nil, fmt.Errorf("read push rules of %s: %w", user, err)
	}
	u, err := decodeUserRules(row.Rules)
	if err != nil {
		return nil, err
	}
	return u.merge(user)
}

// Rule returns one of a user's rules, or M_NOT_FOUND.
func (s *Service) Rule(ctx context.Context, user id.UserID, k Kind, ruleID string) (Rule, error) {
	rs, err := s.Rules(ctx, user)
	if err != nil {
		return Rule{}, err
	}
	r, ok := rs.Find(k, ruleID)
	if !ok {
		return Rule{}, errRuleNotFound
	}
	return r, nil
}

// PutRule adds or replaces a user-defined rule from a PUT body (see
// ParseRuleBody for its errors), placed by before or after (the IDs of
// user-defined rules of the kind; 400 when they name none).
func (s *Service) PutRule(ctx context.Context, user id.UserID, k Kind, ruleID string, body []byte, before, after string) error {
	r, err := ParseRuleBody(k, ruleID, body)
	if err != nil {
		return err
	}
	return s.edit(ctx, user, func(u *userRules) error { return u.put(k, r, before, after) })
}

// DeleteRule deletes a user-defined rule: M_NOT_FOUND when there is none,
// M_INVALID_PARAM for a server-default rule.
func (s *Service) DeleteRule(ctx context.Context, user id.UserID, k Kind, ruleID string) error {
	return s.edit(ctx, user, func(u *userRules) error { return u.remove(user, k, ruleID) })
}

// SetRuleEnabled enables or disables a rule, server-default ones included;
// M_NOT_FOUND when there is none.
func (s *Service) SetRuleEnabled(ctx context.Context, user id.UserID, k Kind, ruleID string, enabled bool) error {
	return s.edit(ctx, user, func(u *userRules) error { return u.setEnabled(user, k, ruleID, enabled) })
}

// SetRuleActions replaces a rule's actions, server-default ones included:
// M_NOT_FOUND when there is none, M_INVALID_PARAM for unknown actions.
func (s *Service) SetRuleActions(ctx context.Context, user id.UserID, k Kind, ruleID string, actions []json.RawMessage) error {
	parsed, err := ParseActions(actions)
	if err != nil {
		return err
	}
	return s.edit(ctx, user, func(u *userRules) error { return u.setActions(user, k, ruleID, parsed) })
}

// edit changes a user's rules under a lock on their row, and writes the
// merged ruleset to their m.push_rules account data in the same
// transaction, at a new stream position their clients' syncs wake for.
func (s *Service) edit(ctx context.Context, user id.UserID, fn func(*userRules) error) error {
	var version int64
	var ev *Evaluator
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.q.PushRulesEnsure(ctx, tx, user); err != nil {
			return fmt.Errorf("create push rules of %s: %w", user, err)
		}
		row, err := s.q.PushRulesLock(ctx, tx, user)
		if err != nil {
			return fmt.Errorf("lock push rules of %s: %w", user, err)
		}
		u, err := decodeUserRules(row.Rules)
		if err != nil {
			return err
		}
		if err := fn(u); err != nil {
			return err
		}
		doc, err := u.encode()
		if err != nil {
			return err
		}
		if version, err = s.q.PushRulesPut(ctx, tx, db.PushRulesPutParams{UserID: user, Rules: doc}); err != nil {
			return fmt.Errorf("store push rules of %s: %w", user, err)
		}
		rs, err := u.merge(user)
		if err != nil {
			return err
		}
		ev = Compile(user, rs)
		if err := stream.AdvanceTx(ctx, tx); err != nil {
			return err
		}
		if err := s.acct.SetGlobalTx(ctx, tx, user, AccountDataType, rs.JSON()); err != nil {
			return err
		}
		return stream.NotifyCurrentTx(ctx, tx, "", []id.UserID{user})
	})
	if err != nil {
		return err
	}
	s.remember(user, version, ev)
	return nil
}

// evaluators returns the compiled rules of users, compiling those whose
// stored rules changed since they were last compiled here.
func (s *Service) evaluators(ctx context.Context, q db.DBTX, users []id.UserID) (map[id.UserID]*Evaluator, error) {
	out := make(map[id.UserID]*Evaluator, len(users))
	if len(users) == 0 {
		return out, nil
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = string(u)
	}
	rows, err := s.q.PushRulesOfUsers(ctx, q, ids)
	if err != nil {
		return nil, fmt.Errorf("read push rules: %w", err)
	}
	stored := make(map[id.UserID]db.PushRule, len(rows))
	for _, r := range rows {
		stored[r.UserID] = r
	}
	for _, u := range users {
		row, ok := stored[u]
		version := int64(0)
		if ok {
			version = row.Version
		}
		if ev := s.cached(u, version); ev != nil {
			out[u] = ev
			continue
		}
		ur, err := decodeUserRules(row.Rules)
		if err != nil {
			return nil, err
		}
		rs, err := ur.merge(u)
		if err != nil {
			return nil, err
		}
		ev := Compile(u, rs)
		s.remember(u, version, ev)
		out[u] = ev
	}
	return out, nil
}

// evaluator returns one user's compiled rules.
func (s *Service) evaluator(ctx context.Context, q db.DBTX, user id.UserID) (*Evaluator, error) {
	evs, err := s.evaluators(ctx, q, []id.UserID{user})
	if err != nil {
		return nil, err
	}
	return evs[user], nil
}

func (s *Service) cached(user id.UserID, version int64) *Evaluator {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.compiled[user]
	if !ok || c.version != version {
		return nil
	}
	return c.ev
}

func (s *Service) remember(user id.UserID, version int64, ev *Evaluator) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.compiled[user]; ok && c.version > version {
		return
	}
	if _, ok := s.compiled[user]; !ok && len(s.compiled) >= maxCompiled {
		// Drop one at random: map iteration order is random enough for a
		// cache whose misses only cost a compile.
		for k := range s.compiled {
			delete(s.compiled, k)
			break
		}
	}
	s.compiled[user] = compiledRules{version: version, ev: ev}
}
