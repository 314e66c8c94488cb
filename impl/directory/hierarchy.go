package directory

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

// Limits of the space hierarchy (the spec leaves them to servers).
const (
	defaultHierarchyLimit = 50
	maxHierarchyLimit     = 100
	// maxHierarchyDepth is both the default and the largest max_depth.
	maxHierarchyDepth = 20
	// maxHierarchyRooms bounds the rooms one request reads: rooms past it
	// are left out as unknown rooms are.
	maxHierarchyRooms = 5000
)

// HierarchyQuery asks for a page of a space hierarchy (GET
// /_matrix/client/v1/rooms/{roomId}/hierarchy).
type HierarchyQuery struct {
	Root          id.RoomID
	SuggestedOnly bool
	// Limit is the page size, nil for the default; MaxDepth how deep to
	// go below the root, nil for the default.
	Limit, MaxDepth *int
	// From is the NextBatch of an earlier page, "" for the first.
	From string
}

// HierarchyRoom is one room of a hierarchy page: its summary, and the
// m.space.child events that make its children when it is a space.
type HierarchyRoom struct {
	*Summary
	Children []SpaceChild
}

// SpaceChild is an m.space.child event in the stripped form hierarchies
// show it in.
type SpaceChild struct {
	Room           id.RoomID // the state key
	Sender         id.UserID
	OriginServerTS int64
	Content        json.RawMessage
}

// HierarchyPage is a page of a space hierarchy.
type HierarchyPage struct {
	Rooms []HierarchyRoom
	// NextBatch is the token of the next page, "" on the last.
	NextBatch string
}

var errHierarchyForbidden = mxerr.New(mxerr.Forbidden, "you may not view this room")

// Hierarchy returns a page of the space tree under q.Root, depth first
// (v1.19 client-server, Spaces), children in the spec's order (the child
// event's order, then its origin_server_ts, then the room ID). A room is
// listed once, with the m.space.child events of spaces, when c may see it:
// c is joined or invited and not banned, or anyone may join, knock on or
// read it, or c is joined to a room its restricted join rule allows. Other
// rooms, and the rooms below them, are left out, as are rooms of other
// servers (hearth cannot fetch them without federation). A root that is
// unknown or that c may not see is M_FORBIDDEN (403, as the spec answers
// for rooms that do not exist); bad parameters, a bad token or one used
// with other parameters are M_INVALID_PARAM.
//
// Pages hold no server state: a token is the position in the tree's order,
// and each page walks the tree again. The same token names the same place
// while the tree does not change; when it does, the next page starts after
// the last room listed, wherever it now is.
func (s *Service) Hierarchy(ctx context.Context, c Caller, q HierarchyQuery) (*HierarchyPage, error) {
	limit, depth, err := hierarchyParams(q)
	if err != nil {
		return nil, err
	}
	var from hierarchyToken
	if q.From != "" {
		if from, err = parseHierarchyToken(q.From); err != nil {
			return nil, err
		}
		if from.root != rootTag(q.Root) || from.suggested != q.SuggestedOnly || from.maxDepth != depth {
			return nil, mxerr.New(mxerr.InvalidParam, "the room, suggested_only and max_depth cannot change while paginating")
		}
	}
	t, err := s.loadTree(ctx, c.User, q.Root, q.SuggestedOnly, depth)
	if err != nil {
		return nil, err
	}
	order := t.order(q.Root, depth)
	start := from.resume(order)
	end := min(start+limit, len(order))
	page := &HierarchyPage{Rooms: make([]HierarchyRoom, 0, end-start)}
	for _, room := range order[start:end] {
		n := t.nodes[room]
		page.Rooms = append(page.Rooms, HierarchyRoom{Summary: n.sum, Children: t.children[room]})
	}
	if end < len(order) {
		page.NextBatch = hierarchyToken{root: rootTag(q.Root), suggested: q.SuggestedOnly, maxDepth: depth,
			index: end, last: order[end-1]}.String()
	}
	return page, nil
}

func hierarchyParams(q HierarchyQuery) (limit, depth int, err error) {
	limit, depth = defaultHierarchyLimit, maxHierarchyDepth
	if q.Limit != nil {
		if *q.Limit < 1 {
			return 0, 0, mxerr.New(mxerr.InvalidParam, "limit must be greater than zero")
		}
		limit = min(*q.Limit, maxHierarchyLimit)
	}
	if q.MaxDepth != nil {
		if *q.MaxDepth < 0 {
			return 0, 0, mxerr.New(mxerr.InvalidParam, "max_depth must not be negative")
		}
		depth = min(*q.MaxDepth, maxHierarchyDepth)
	}
	return limit, depth, nil
}

// spaceTree is the part of a space tree one request reads: the rooms this
// server has, whether the requester may see them, and the children of the
// visible spaces among them.
type spaceTree struct {
	nodes    map[id.RoomID]*treeNode
	children map[id.RoomID][]SpaceChild // by space, in the spec's order
}

type treeNode struct {
	sum     *Summary
	visible bool
}

// loadTree reads the tree under root level by level, a few statements a
// level: a room's children are read when it is a visible space less than
// depth below the root (at depth itself too, for its children_state), and
// the children's own rooms when they are within depth.
func (s *Service) loadTree(ctx context.Context, user id.UserID, root id.RoomID, suggestedOnly bool, depth int) (*spaceTree, error) {
	t := &spaceTree{nodes: map[id.RoomID]*treeNode{}, children: map[id.RoomID][]SpaceChild{}}
	if err := s.loadNodes(ctx, t, user, []id.RoomID{root}); err != nil {
		return nil, err
	}
	if n := t.nodes[root]; n == nil || !n.visible {
		return nil, errHierarchyForbidden
	}
	level := []id.RoomID{root}
	for d := 0; len(level) > 0; d++ {
		var spaces []id.RoomID
		for _, room := range level {
			if n := t.nodes[room]; n != nil && n.visible && n.sum.RoomType == string(event.RoomTypeSpace) {
				spaces = append(spaces, room)
			}
		}
		if err := s.loadChildren(ctx, t, spaces, suggestedOnly); err != nil {
			return nil, err
		}
		if d == depth {
			break
		}
		var next []id.RoomID
		seen := map[id.RoomID]bool{}
		for _, space := range spaces {
			for _, ch := range t.children[space] {
				if _, loaded := t.nodes[ch.Room]; !loaded && !seen[ch.Room] && len(t.nodes)+len(next) < maxHierarchyRooms {
					seen[ch.Room] = true
					next = append(next, ch.Room)
				}
			}
		}
		if err := s.loadNodes(ctx, t, user, next); err != nil {
			return nil, err
		}
		level = next
	}
	return t, nil
}

// loadNodes reads the summaries of rooms and whether user may see them.
// Rooms this server does not have get a nil node.
func (s *Service) loadNodes(ctx context.Context, t *spaceTree, user id.UserID, rooms []id.RoomID) error {
	if len(rooms) == 0 {
		return nil
	}
	ids := make([]string, len(rooms))
	for i, r := range rooms {
		ids[i] = string(r)
		t.nodes[r] = nil
	}
	if err := s.refresh(ctx, false, ids); err != nil {
		return err
	}
	rows, err := s.q.HierarchySummaries(ctx, s.pool, ids)
	if err != nil {
		return fmt.Errorf("read summaries of space children: %w", err)
	}
	// The memberships asked for: of the rooms, and of the rooms their
	// restricted join rules allow.
	asked := slices.Clone(ids)
	for _, r := range rows {
		asked = append(asked, r.RoomSummary.AllowedRoomIds...)
	}
	ms, err := s.q.HierarchyMemberships(ctx, s.pool, db.HierarchyMembershipsParams{UserID: user, RoomIds: asked})
	if err != nil {
		return fmt.Errorf("read memberships of %s: %w", user, err)
	}
	membership := make(map[id.RoomID]event.Membership, len(ms))
	for _, m := range ms {
		membership[id.RoomID(m.RoomID)] = event.Membership(m.Membership)
	}
	for _, r := range rows {
		sum := summaryFromRow(id.RoomID(r.RoomID), id.RoomVersion(r.RoomVersion), r.RoomSummary)
		joinedAllowed := slices.ContainsFunc(sum.AllowedRoomIDs, func(a id.RoomID) bool { return membership[a] == event.MembershipJoin })
		t.nodes[sum.RoomID] = &treeNode{sum: sum, visible: mayPeek(sum, membership[sum.RoomID], joinedAllowed)}
	}
	return nil
}

// mayPeek tells whether a requester with the given membership may see a
// room in a space hierarchy (v1.19 client-server, GET /hierarchy): they are
// in it or invited, or could join it (public, or restricted to a room they
// are joined to), or knock on it, or read it. Banned users see nothing of
// it.
func mayPeek(sum *Summary, membership event.Membership, joinedAllowed bool) bool {
	rv := sum.Version
	switch {
	case membership == event.MembershipBan:
		return false
	case membership == event.MembershipJoin || membership == event.MembershipInvite:
		return true
	case sum.WorldReadable():
		return true
	}
	switch event.JoinRule(sum.JoinRule) {
	case event.JoinRulePublic:
		return true
	case event.JoinRuleKnock:
		return rv.Knocks()
	case event.JoinRuleKnockRestricted:
		return rv.KnockRestricted()
	case event.JoinRuleRestricted:
		return rv.RestrictedJoins() && joinedAllowed
	}
	return false
}

// loadChildren reads the m.space.child events of spaces: those that name a
// room and have a via list (others are not children; v1.19, m.space.child),
// only suggested ones when suggestedOnly, in the spec's order.
func (s *Service) loadChildren(ctx context.Context, t *spaceTree, spaces []id.RoomID, suggestedOnly bool) error {
	if len(spaces) == 0 {
		return nil
	}
	ids := make([]string, len(spaces))
	for i, r := range spaces {
		ids[i] = string(r)
		t.children[r] = []SpaceChild{}
	}
	rows, err := s.q.HierarchyChildren(ctx, s.pool, ids)
	if err != nil {
		return fmt.Errorf("read space children: %w", err)
	}
	for _, r := range rows {
		content := gjson.GetBytes(r.Pdu, "content")
		if !strings.HasPrefix(r.StateKey, "!") || !validVia(content.Get("via")) {
			continue
		}
		if suggestedOnly && content.Get("suggested").Type != gjson.True {
			continue
		}
		space := id.RoomID(r.RoomID)
		t.children[space] = append(t.children[space], SpaceChild{Room: id.RoomID(r.StateKey), Sender: id.UserID(r.Sender),
			OriginServerTS: r.OriginTs, Content: json.RawMessage(content.Raw)})
	}
	for space, children := range t.children {
		keys := make(map[id.RoomID]childKey, len(children))
		for _, ch := range children {
			keys[ch.Room] = childKeyOf(ch)
		}
		slices.SortFunc(children, func(a, b SpaceChild) int { return keys[a.Room].compare(keys[b.Room]) })
		t.children[space] = children
	}
	return nil
}

// validVia tells whether a child's via is a non-empty list of strings.
func validVia(via gjson.Result) bool {
	if !via.IsArray() {
		return false
	}
	servers := via.Array()
	if len(servers) == 0 {
		return false
	}
	for _, v := range servers {
		if v.Type != gjson.String {
			return false
		}
	}
	return true
}

// childKey is where a child goes among its siblings (v1.19 client-server,
// "Ordering of children within a space"): by a valid order, children with
// none after those with one; then by the event's origin_server_ts; then by
// room ID.
type childKey struct {
	hasOrder bool
	order    string
	ts       int64
	room     id.RoomID
}

func childKeyOf(ch SpaceChild) childKey {
	k := childKey{ts: ch.OriginServerTS, room: ch.Room}
	if o := gjson.GetBytes(ch.Content, "order"); o.Type == gjson.String && validOrder(o.Str) {
		k.hasOrder, k.order = true, o.Str
	}
	return k
}

// validOrder tells whether an order is at most 50 printable ASCII
// characters; others are treated as absent.
func validOrder(o string) bool {
	if o == "" || len(o) > 50 {
		return false
	}
	for i := 0; i < len(o); i++ {
		if o[i] < 0x20 || o[i] > 0x7e {
			return false
		}
	}
	return true
}

func (a childKey) compare(b childKey) int {
	if a.hasOrder != b.hasOrder {
		if a.hasOrder {
			return -1
		}
		return 1
	}
	return cmp.Or(strings.Compare(a.order, b.order), cmp.Compare(a.ts, b.ts), strings.Compare(string(a.room), string(b.room)))
}

// order lists the visible rooms of the tree depth first from root, each
// once (where the walk first meets it), going no deeper than depth.
func (t *spaceTree) order(root id.RoomID, depth int) []id.RoomID {
	type entry struct {
		room  id.RoomID
		depth int
	}
	var out []id.RoomID
	seen := map[id.RoomID]bool{}
	stack := []entry{{root, 0}}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[e.room] {
			continue
		}
		seen[e.room] = true
		n := t.nodes[e.room]
		if n == nil || !n.visible {
			continue
		}
		out = append(out, e.room)
		if e.depth >= depth {
			continue
		}
		children := t.children[e.room]
		for i := len(children) - 1; i >= 0; i-- {
			if !seen[children[i].Room] {
				stack = append(stack, entry{children[i].Room, e.depth + 1})
			}
		}
	}
	return out
}

// hierarchyToken is a place in a hierarchy's order: after index rooms, the
// last of them last. It carries the parameters it was made with, which
// later pages must repeat, and a tag of the root room.
type hierarchyToken struct {
	root      string
	suggested bool
	maxDepth  int
	index     int
	last      id.RoomID
}

// rootTag is a short hash of the root room, which tokens carry so that
// one is not used for another space.
func rootTag(root id.RoomID) string {
	sum := sha256.Sum256([]byte(root))
	return hex.EncodeToString(sum[:6])
}

func (t hierarchyToken) String() string {
	suggested := "0"
	if t.suggested {
		suggested = "1"
	}
	raw := strings.Join([]string{"h1", t.root, suggested, strconv.Itoa(t.maxDepth), strconv.Itoa(t.index), string(t.last)}, "|")
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

var errBadHierarchyToken = mxerr.New(mxerr.InvalidParam, "unknown pagination token")

func parseHierarchyToken(s string) (hierarchyToken, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return hierarchyToken{}, errBadHierarchyToken
	}
	f := strings.SplitN(string(raw), "|", 6)
	if len(f) != 6 || f[0] != "h1" || (f[2] != "0" && f[2] != "1") || !strings.HasPrefix(f[5], "!") {
		return hierarchyToken{}, errBadHierarchyToken
	}
	depth, derr := strconv.Atoi(f[3])
	index, ierr := strconv.Atoi(f[4])
	if derr != nil || ierr != nil || depth < 0 || index < 1 {
		return hierarchyToken{}, errBadHierarchyToken
	}
	return hierarchyToken{root: f[1], suggested: f[2] == "1", maxDepth: depth, index: index, last: id.RoomID(f[5])}, nil
}

// resume is where the page after t starts in order: after t's last room,
// where it is now. When that room has gone, the page starts where it was,
// which is right when nothing else moved, and otherwise repeats a room
// rather than skip one. The zero token starts at the beginning.
func (t hierarchyToken) resume(order []id.RoomID) int {
	if t.index == 0 {
		return 0
	}
	if t.index <= len(order) && order[t.index-1] == t.last {
		return t.index
	}
	if i := slices.Index(order, t.last); i >= 0 {
		return i + 1
	}
	return min(t.index-1, len(order))
}
