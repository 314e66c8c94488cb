package syncer

import (
	"context"
	"fmt"
	"strconv"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
)

// SaveFilter stores a user's filter (checked first) and returns its ID.
func (s *Service) SaveFilter(ctx context.Context, user id.UserID, raw []byte) (string, error) {
	if _, err := filter.Parse(raw); err != nil {
		return "", err
	}
	n, err := s.q.FilterInsert(ctx, s.d.Pool, db.FilterInsertParams{UserID: user, Filter: raw})
	if err != nil {
		return "", fmt.Errorf("store filter: %w", err)
	}
	return strconv.FormatInt(n, 10), nil
}

// Filter returns a stored filter as it was uploaded, or M_NOT_FOUND.
func (s *Service) Filter(ctx context.Context, user id.UserID, filterID string) ([]byte, error) {
	n, err := strconv.ParseInt(filterID, 10, 64)
	if err != nil {
		return nil, mxerr.New(mxerr.NotFound, "no filter %q", filterID)
	}
	raw, err := s.q.FilterGet(ctx, s.d.Pool, db.FilterGetParams{UserID: user, FilterID: n})
	if pg.IsNoRows(err) {
		return nil, mxerr.New(mxerr.NotFound, "no filter %q", filterID)
	}
	if err != nil {
		return nil, fmt.Errorf("load filter: %w", err)
	}
	return raw, nil
}

// resolveFilter reads /sync's filter parameter: inline JSON, or the ID of
// a stored filter of the user. An empty parameter is no filter.
func (s *Service) resolveFilter(ctx context.Context, user id.UserID, param string) (*filter.Filter, error) {
	if param == "" {
		return &filter.Filter{}, nil
	}
	raw := []byte(param)
	if !filter.IsInline(param) {
		var err error
		if raw, err = s.Filter(ctx, user, param); err != nil {
			if mxerr.CodeOf(err) == mxerr.NotFound {
				return nil, mxerr.New(mxerr.InvalidParam, "unknown filter %q", param)
			}
			return nil, err
		}
	}
	return filter.Parse(raw)
}
