package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/timeline"
	"github.com/hearth-hs/hearth/impl/stream"
)

// The search keys (v1.19 client-server, POST /search): the content field
// searched, each of one event type.
const (
	KeyBody  = "content.body"
	KeyName  = "content.name"
	KeyTopic = "content.topic"
)

// The orders of results.
const (
	OrderRank   = "rank"
	OrderRecent = "recent"
)

// The keys results may be grouped by.
const (
	GroupRoom   = "room_id"
	GroupSender = "sender"
)

// keyTypes maps each search key to the event type whose field it is.
var keyTypes = map[string]string{KeyBody: "m.room.message", KeyName: "m.room.name", KeyTopic: "m.room.topic"}

const (
	defaultLimit   = 10
	maxLimit       = 100
	defaultContext = 5
	maxContext     = 50
	// contextReads is how many results' contexts are read at once.
	contextReads = 4
	// maxBatches bounds the batches of matches one page reads when the
	// reader may see few of them; the page then ends early, with a
	// next_batch to go on from.
	maxBatches = 8
)

// Deps are what search needs.
type Deps struct {
	Pool     *pgxpool.Pool
	Rooms    *rooms.Service
	Timeline *timeline.Reader
	Logger   *slog.Logger
}

// Service searches room events. It is safe for concurrent use.
type Service struct {
	pool     *pgxpool.Pool
	q        *db.Queries
	rooms    *rooms.Service
	timeline *timeline.Reader
	log      *slog.Logger
}

// New returns the search service.
func New(deps Deps) *Service {
	return &Service{pool: deps.Pool, q: db.New(), rooms: deps.Rooms, timeline: deps.Timeline, log: deps.Logger}
}

// Query is a search of room events (search_categories.room_events).
type Query struct {
	// Term is searched with PostgreSQL's web search syntax: words (stemmed,
	// in English), "quoted phrases", or, and -word to exclude.
	Term string
	// Keys are the fields searched; nil searches all three.
	Keys []string
	// Filter chooses rooms, senders and types; its limit is the page size
	// (10 by default, at most 100).
	Filter *filter.RoomEventFilter
	// OrderBy is OrderRank (the default) or OrderRecent.
	OrderBy string
	// Context, when set, asks for the events around each result.
	Context *ContextQuery
	// IncludeState asks for the current state of the rooms of the results.
	IncludeState bool
	// GroupBy lists GroupRoom and GroupSender.
	GroupBy []string
	// NextBatch continues from an earlier page's next_batch (or a group's).
	NextBatch string
}

// ContextQuery asks for the events around each result.
type ContextQuery struct {
	// BeforeLimit and AfterLimit default to 5, and are at most 50.
	BeforeLimit, AfterLimit *int
	// IncludeProfile asks for the senders' profiles at the time.
	IncludeProfile bool
}

// Results are a page of a search.
type Results struct {
	// Count is how many events matched in all, before history visibility
	// is applied: an approximation, as the spec allows.
	Count int
	// Highlights are the words of the results the search matched, as they
	// appear in them.
	Highlights []string
	Results    []Result
	// State is the current state of each room of the results, when asked.
	State map[id.RoomID][]json.RawMessage
	// Groups are the results by group key and value, when asked.
	Groups map[string]map[string]Group
	// NextBatch continues the search; "" when there is no more.
	NextBatch string
}

// Result is one event found.
type Result struct {
	Rank    float64
	Event   json.RawMessage
	Context *Context
}

// Context is the events around a result.
type Context struct {
	// Start and End paginate /messages from the first event before and
	// the last event after.
	Start, End string
	// Before is in reverse chronological order, After in chronological.
	Before, After []json.RawMessage
	// Profiles are the senders' display names and avatars at the time,
	// when asked.
	Profiles map[id.UserID]Profile
}

// Profile is what a member event said of its user.
type Profile struct {
	DisplayName, AvatarURL string
}

// Group is the results of one group value.
type Group struct {
	// NextBatch continues the search within the group; "" when the whole
	// search has no more.
	NextBatch string
	// Order ranks the groups: that of the group's first result, from 1.
	Order   int
	Results []id.EventID
}

// hit is a result found, before rendering.
type hit struct {
	ev   *events.Event
	rank float32
}

// plan is a validated query.
type plan struct {
	order          string
	limit          int
	roomNIDs       []int64
	keys           []string
	bySender       bool
	senders        []string
	notSenders     []string
	containsURL    *bool
	from           *batchToken
	before, after  int
	includeProfile bool
}

// Search runs a search for the viewer: in the rooms they are joined to,
// among the events they may see there. Invalid keys, orders, groupings,
// limits and tokens are M_INVALID_PARAM.
func (s *Service) Search(ctx context.Context, v timeline.Viewer, q Query) (*Results, error) {
	p, err := s.plan(ctx, v.User, q)
	if err != nil {
		return nil, err
	}
	out := &Results{Results: []Result{}, Highlights: []string{}}
	if p == nil || strings.TrimSpace(q.Term) == "" {
		return out, nil
	}
	hits, count, next, err := s.find(ctx, v.User, q.Term, p)
	if err != nil {
		return nil, err
	}
	out.Count = count
	if next != nil {
		t := batchToken{order: p.order, at: *next, count: count}
		if p.from != nil {
			t.groupKey, t.groupValue = p.from.groupKey, p.from.groupValue
		}
		out.NextBatch = t.String()
	}
	if len(hits) == 0 {
		return out, nil
	}
	evs := make([]*events.Event, len(hits))
	for i, h := range hits {
		evs[i] = h.ev
	}
	rendered, err := s.timeline.Render(ctx, evs, v, timeline.RenderOptions{})
	if err != nil {
		return nil, err
	}
	out.Results = make([]Result, len(hits))
	for i, h := range hits {
		out.Results[i] = Result{Rank: float64(h.rank), Event: rendered[i]}
	}
	if q.Context != nil {
		err := eachConcurrently(len(hits), contextReads, func(i int) (err error) {
			out.Results[i].Context, err = s.context(ctx, v, hits[i].ev, p)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if out.Highlights, err = s.highlights(ctx, q.Term, evs); err != nil {
		return nil, err
	}
	if q.IncludeState {
		if out.State, err = s.state(ctx, v, evs); err != nil {
			return nil, err
		}
	}
	if len(q.GroupBy) > 0 {
		out.Groups = groups(q.GroupBy, evs, next, p.order, count)
	}
	return out, nil
}

// plan checks the query and works out where to search; nil means nowhere
// (no room or no key is left).
func (s *Service) plan(ctx context.Context, user id.UserID, q Query) (*plan, error) {
	p := &plan{order: q.OrderBy, limit: defaultLimit, notSenders: []string{}, before: defaultContext, after: defaultContext}
	switch p.order {
	case "":
		p.order = OrderRank
	case OrderRank, OrderRecent:
	default:
		return nil, mxerr.New(mxerr.InvalidParam, "order_by must be rank or recent")
	}
	for _, g := range q.GroupBy {
		if g != GroupRoom && g != GroupSender {
			return nil, mxerr.New(mxerr.InvalidParam, "results can be grouped by room_id or sender only")
		}
	}
	if q.Context != nil {
		var err error
		if p.before, err = contextLimit(q.Context.BeforeLimit); err != nil {
			return nil, err
		}
		if p.after, err = contextLimit(q.Context.AfterLimit); err != nil {
			return nil, err
		}
		p.includeProfile = q.Context.IncludeProfile
	}
	if q.NextBatch != "" {
		t, err := parseBatchToken(q.NextBatch, p.order)
		if err != nil {
			return nil, err
		}
		p.from = &t
	}
	f := q.Filter
	if f != nil {
		p.limit = f.LimitOr(defaultLimit, maxLimit)
		if p.limit < 1 {
			return nil, mxerr.New(mxerr.InvalidParam, "the filter's limit must be positive")
		}
		p.containsURL = f.ContainsURL
	}
	keys := q.Keys
	if keys == nil {
		keys = []string{KeyBody, KeyName, KeyTopic}
	}
	for _, k := range keys {
		evType, ok := keyTypes[k]
		if !ok {
			return nil, mxerr.New(mxerr.InvalidParam, "unknown search key %q", k)
		}
		if (f == nil || f.MatchType(evType)) && !slices.Contains(p.keys, k) {
			p.keys = append(p.keys, k)
		}
	}
	if f != nil {
		for _, u := range f.NotSenders {
			p.notSenders = append(p.notSenders, string(u))
		}
		if f.Senders != nil {
			p.bySender = true
			p.senders = make([]string, len(f.Senders))
			for i, u := range f.Senders {
				p.senders[i] = string(u)
			}
		}
	}
	groupRoom := ""
	if t := p.from; t != nil {
		switch t.groupKey {
		case GroupRoom:
			groupRoom = t.groupValue
		case GroupSender:
			if p.bySender && !slices.Contains(p.senders, t.groupValue) {
				return nil, nil
			}
			p.bySender, p.senders = true, []string{t.groupValue}
		}
	}
	joined, err := s.q.SearchRoomsOfUser(ctx, s.pool, user)
	if err != nil {
		return nil, fmt.Errorf("list the rooms of %s: %w", user, err)
	}
	for _, r := range joined {
		room := id.RoomID(r.RoomID)
		if f.MatchRoom(room) && (groupRoom == "" || string(room) == groupRoom) {
			p.roomNIDs = append(p.roomNIDs, r.RoomNid)
		}
	}
	if len(p.roomNIDs) == 0 || len(p.keys) == 0 {
		return nil, nil
	}
	if p.senders == nil {
		p.senders = []string{}
	}
	return p, nil
}

func contextLimit(n *int) (int, error) {
	if n == nil {
		return defaultContext, nil
	}
	if *n < 0 {
		return 0, mxerr.New(mxerr.InvalidParam, "context limits must not be negative")
	}
	return min(*n, maxContext), nil
}

// match is one row of a batch of matches.
type match struct {
	nid events.NID
	at  cursor
}

// find reads matches batch by batch, keeping those the user may see, until
// the page is full or the matches end. It returns the page, the number of
// matches in all (counted on the first page, carried by the token after),
// and the cursor of the next page (nil at the end). Its statements share
// one transaction.
func (s *Service) find(ctx context.Context, user id.UserID, term string, p *plan) (hits []hit, count int, next *cursor, err error) {
	batch := max(2*p.limit, 20)
	err = pg.InPipelineTx(ctx, s.pool, func(q *pg.Pipeline) error {
		hits, next = nil, nil // from scratch if the transaction is retried
		if p.from != nil {
			count = p.from.count
		} else {
			n, err := s.q.SearchCount(ctx, q, db.SearchCountParams{Term: term, RoomNids: p.roomNIDs, Keys: p.keys,
				BySender: p.bySender, Senders: p.senders, NotSenders: p.notSenders})
			if err != nil {
				return fmt.Errorf("count matches: %w", err)
			}
			count = int(n)
		}
		var at *cursor
		if p.from != nil {
			at = &p.from.at
		}
		for range maxBatches {
			rows, err := s.batch(ctx, q, term, p, at, batch)
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				return nil
			}
			visible, err := s.visible(ctx, user, rows, p.containsURL)
			if err != nil {
				return err
			}
			for j, r := range rows {
				ev := visible[r.nid]
				if ev == nil {
					continue
				}
				hits = append(hits, hit{ev: ev, rank: r.at.rank})
				if len(hits) == p.limit {
					if j < len(rows)-1 || len(rows) == batch {
						next = &r.at
					}
					return nil
				}
			}
			if len(rows) < batch {
				return nil
			}
			at = &rows[len(rows)-1].at
		}
		// Many matches the user may not see: answer what was found, and
		// let the client go on from here.
		next = at
		return nil
	})
	return hits, count, next, err
}

// batch reads up to n matches after the cursor (from the start when nil),
// in the plan's order.
func (s *Service) batch(ctx context.Context, q db.DBTX, term string, p *plan, after *cursor, n int) ([]match, error) {
	var out []match
	if p.order == OrderRecent {
		before := int64(math.MaxInt64)
		if after != nil {
			before = int64(after.pos)
		}
		rows, err := s.q.SearchRecent(ctx, q, db.SearchRecentParams{Term: term, RoomNids: p.roomNIDs, Keys: p.keys,
			BySender: p.bySender, Senders: p.senders, NotSenders: p.notSenders, BeforePos: before, MaxRows: int32(n)})
		if err != nil {
			return nil, fmt.Errorf("search events: %w", err)
		}
		for _, r := range rows {
			out = append(out, match{nid: events.NID(r.EventNid), at: cursor{rank: r.Rank, pos: stream.Pos(r.StreamPos)}})
		}
		return out, nil
	}
	params := db.SearchByRankParams{Term: term, RoomNids: p.roomNIDs, Keys: p.keys,
		BySender: p.bySender, Senders: p.senders, NotSenders: p.notSenders, FromStart: after == nil, MaxRows: int32(n)}
	if after != nil {
		params.AfterRank, params.AfterPos = after.rank, int64(after.pos)
	}
	rows, err := s.q.SearchByRank(ctx, q, params)
	if err != nil {
		return nil, fmt.Errorf("search events: %w", err)
	}
	for _, r := range rows {
		out = append(out, match{nid: events.NID(r.EventNid), at: cursor{rank: r.Rank, pos: stream.Pos(r.StreamPos)}})
	}
	return out, nil
}

// visible loads the events of rows and keeps, by NID, those the user may
// see (and that pass contains_url).
func (s *Service) visible(ctx context.Context, user id.UserID, rows []match, containsURL *bool) (map[events.NID]*events.Event, error) {
	nids := make([]events.NID, len(rows))
	for i, r := range rows {
		nids[i] = r.nid
	}
	evs, err := events.ByNIDs(ctx, s.pool, nids)
	if err != nil {
		return nil, err
	}
	if containsURL != nil {
		kept := evs[:0]
		for _, e := range evs {
			if filter.HasURL(e.Content()) == *containsURL {
				kept = append(kept, e)
			}
		}
		evs = kept
	}
	// Only rooms the user is joined to are searched.
	evs, err = s.timeline.Visible(ctx, user, event.MembershipJoin, evs)
	if err != nil {
		return nil, err
	}
	out := make(map[events.NID]*events.Event, len(evs))
	for _, e := range evs {
		out[e.NID] = e
	}
	return out, nil
}

// context reads the events around a result through the timeline's
// /context, whose limit splits evenly around the event: one read when the
// limits before and after are equal, one for each side otherwise.
func (s *Service) context(ctx context.Context, v timeline.Viewer, ev *events.Event, p *plan) (*Context, error) {
	// Lazy-loaded members: the senders' member events, not the whole state.
	lazy := &filter.RoomEventFilter{LazyLoadMembers: true}
	read := func(each int) (*timeline.Context, error) {
		limit := 2 * each
		return s.timeline.Context(ctx, ev.RoomID, ev.ID, v, timeline.ContextQuery{Limit: &limit, Filter: lazy})
	}
	first, err := read(p.before)
	if err != nil {
		return nil, err
	}
	second := first
	if p.after != p.before {
		if second, err = read(p.after); err != nil {
			return nil, err
		}
	}
	c := &Context{Start: first.Start, End: second.End, Before: nonNil(first.Before), After: nonNil(second.After)}
	if p.includeProfile {
		c.Profiles = map[id.UserID]Profile{}
		for _, st := range [][]json.RawMessage{first.State, second.State} {
			for _, m := range st {
				e := gjson.ParseBytes(m)
				if e.Get("type").Str != event.StateMember.Type {
					continue
				}
				c.Profiles[id.UserID(e.Get("state_key").Str)] = Profile{
					DisplayName: e.Get("content.displayname").Str, AvatarURL: e.Get("content.avatar_url").Str,
				}
			}
		}
	}
	return c, nil
}

func nonNil(evs []json.RawMessage) []json.RawMessage {
	if evs == nil {
		return []json.RawMessage{}
	}
	return evs
}

// Markers around highlighted words; control characters, which message
// text hardly holds.
const (
	startSel = "\x01"
	stopSel  = "\x02"
)

// highlights asks PostgreSQL which words of the results the search matched
// (stemming makes them differ from the term's), as they appear in them.
func (s *Service) highlights(ctx context.Context, term string, evs []*events.Event) ([]string, error) {
	texts := make([]string, 0, len(evs))
	for _, e := range evs {
		field := strings.TrimPrefix(keyOfType(e.Type), "content.")
		if t := gjson.GetBytes(e.Content(), field); t.Type == gjson.String {
			texts = append(texts, strings.ReplaceAll(strings.ReplaceAll(t.Str, startSel, ""), stopSel, ""))
		}
	}
	words := []string{}
	if len(texts) == 0 {
		return words, nil
	}
	lines, err := s.q.SearchHighlights(ctx, s.pool, db.SearchHighlightsParams{
		Term: term, Texts: texts, Options: "StartSel=" + startSel + ", StopSel=" + stopSel + ", HighlightAll=true",
	})
	if err != nil {
		return nil, fmt.Errorf("find highlights: %w", err)
	}
	for _, l := range lines {
		for {
			_, rest, ok := strings.Cut(l, startSel)
			if !ok {
				break
			}
			w, after, _ := strings.Cut(rest, stopSel)
			if w != "" && !slices.Contains(words, w) {
				words = append(words, w)
			}
			l = after
		}
	}
	slices.Sort(words)
	return words, nil
}

func keyOfType(evType string) string {
	for k, t := range keyTypes {
		if t == evType {
			return k
		}
	}
	return ""
}

// state returns the current state of each room of the results, as the
// viewer may read it.
func (s *Service) state(ctx context.Context, v timeline.Viewer, evs []*events.Event) (map[id.RoomID][]json.RawMessage, error) {
	out := map[id.RoomID][]json.RawMessage{}
	for _, e := range evs {
		if _, done := out[e.RoomID]; done {
			continue
		}
		view, err := s.rooms.View(ctx, e.RoomID, v.User)
		if err != nil {
			return nil, err
		}
		st, err := s.rooms.StateEvents(ctx, view.Snapshot, nil)
		if err != nil {
			return nil, err
		}
		rendered, err := s.timeline.Render(ctx, st, v, timeline.RenderOptions{})
		if err != nil {
			return nil, err
		}
		out[e.RoomID] = rendered
	}
	return out, nil
}

// groups partitions the results by each requested key. A group's
// next_batch continues the search within it, when the search has more.
func groups(keys []string, evs []*events.Event, next *cursor, order string, count int) map[string]map[string]Group {
	out := map[string]map[string]Group{}
	for _, key := range keys {
		byValue := map[string]Group{}
		for _, e := range evs {
			value := string(e.RoomID)
			if key == GroupSender {
				value = string(e.Sender)
			}
			g, ok := byValue[value]
			if !ok {
				g.Order = len(byValue) + 1
				if next != nil {
					// The count is the whole search's: groups are not counted.
					g.NextBatch = batchToken{order: order, at: *next, count: count, groupKey: key, groupValue: value}.String()
				}
			}
			g.Results = append(g.Results, e.ID)
			byValue[value] = g
		}
		out[key] = byValue
	}
	return out
}

// eachConcurrently runs fn(0) to fn(n-1), at most limit at a time, and
// returns their errors joined.
func eachConcurrently(n, limit int, fn func(i int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	sem := make(chan struct{}, limit)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = fn(i)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
