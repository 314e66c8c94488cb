package clientapi

import (
	"context"
	"encoding/json"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/search"
)

type (
	searchResults = api.Search200JSONResponseBody_SearchCategories_RoomEvents
	searchResult  = api.Search200JSONResponseBody_SearchCategories_RoomEvents_Results
	searchContext = api.Search200JSONResponseBody_SearchCategories_RoomEvents_Results_Context
	searchProfile = api.Search200JSONResponseBody_SearchCategories_RoomEvents_Results_Context_ProfileInfo
	searchGroup   = api.Search200JSONResponseBody_SearchCategories_RoomEvents_Groups
)

// Search serves POST /_matrix/client/v3/search.
func (s *Server) Search(ctx context.Context, r api.SearchRequestObject) (api.SearchResponseObject, error) {
	c := r.Body.SearchCategories.RoomEvents
	if c == nil {
		return api.Search200JSONResponse{}, nil // no category asked for
	}
	q, err := searchQuery(c, r.Params.NextBatch)
	if err != nil {
		return nil, err
	}
	found, err := s.search.Search(ctx, viewer(ctx), q)
	if err != nil {
		return nil, err
	}
	return api.Search200JSONResponse{SearchCategories: api.Search200JSONResponseBody_SearchCategories{RoomEvents: searchResponse(found)}}, nil
}

func searchQuery(c *api.SearchJSONBody_SearchCategories_RoomEvents, nextBatch *string) (search.Query, error) {
	q := search.Query{Term: c.SearchTerm, OrderBy: string(deref(c.OrderBy)), IncludeState: deref(c.IncludeState), NextBatch: deref(nextBatch)}
	if c.Filter != nil {
		raw, err := json.Marshal(c.Filter)
		if err != nil {
			return q, mxerr.Wrap(err, mxerr.BadJSON, "the filter cannot be read")
		}
		if q.Filter, err = filter.ParseRoomEventFilter(raw); err != nil {
			return q, err
		}
	}
	if c.Keys != nil {
		q.Keys = []string{}
		for _, k := range *c.Keys {
			q.Keys = append(q.Keys, string(k))
		}
	}
	if c.EventContext != nil {
		ec := c.EventContext
		q.Context = &search.ContextQuery{BeforeLimit: ec.BeforeLimit, AfterLimit: ec.AfterLimit, IncludeProfile: deref(ec.IncludeProfile)}
	}
	if c.Groupings != nil && c.Groupings.GroupBy != nil {
		for _, g := range *c.Groupings.GroupBy {
			if g.Key != nil {
				q.GroupBy = append(q.GroupBy, string(*g.Key))
			}
		}
	}
	return q, nil
}

func searchResponse(found *search.Results) *searchResults {
	out := &searchResults{Count: ptr(found.Count), Highlights: &found.Highlights, NextBatch: optional(found.NextBatch)}
	results := make([]searchResult, len(found.Results))
	for i, r := range found.Results {
		results[i] = searchResult{Rank: ptr(float32(r.Rank)), Result: api.ClientEvent(r.Event)}
		if c := r.Context; c != nil {
			before, after := clientEvents(c.Before), clientEvents(c.After)
			sc := &searchContext{Start: optional(c.Start), End: optional(c.End), EventsBefore: &before, EventsAfter: &after}
			if c.Profiles != nil {
				profiles := make(map[string]searchProfile, len(c.Profiles))
				for user, p := range c.Profiles {
					profiles[string(user)] = searchProfile{Displayname: optional(p.DisplayName), AvatarUrl: optional(p.AvatarURL)}
				}
				sc.ProfileInfo = &profiles
			}
			results[i].Context = sc
		}
	}
	out.Results = &results
	if found.State != nil {
		st := make(map[string][]api.ClientEvent, len(found.State))
		for room, evs := range found.State {
			st[string(room)] = clientEvents(evs)
		}
		out.State = &st
	}
	if found.Groups != nil {
		groups := make(map[string]map[string]searchGroup, len(found.Groups))
		for key, byValue := range found.Groups {
			groups[key] = make(map[string]searchGroup, len(byValue))
			for value, g := range byValue {
				ids := make([]string, len(g.Results))
				for i, e := range g.Results {
					ids[i] = string(e)
				}
				groups[key][value] = searchGroup{NextBatch: optional(g.NextBatch), Order: ptr(g.Order), Results: &ids}
			}
		}
		out.Groups = &groups
	}
	return out
}
