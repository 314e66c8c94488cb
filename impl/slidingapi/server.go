// Package slidingapi adapts hearth's sliding sync definition
// (spec/hearth/msc4186.yaml, generated into gen/slidingsync) to the engine
// in impl/slidingsync: it reads each shape's request into one Request and
// hands back the engine's response bytes.
package slidingapi

import (
	"context"
	"fmt"
	"time"

	"github.com/labstack/echo/v4"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/slidingsync"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/httpserver"
	"github.com/hearth-hs/hearth/impl/slidingsync"
)

// Server implements the generated sliding sync strict interface.
type Server struct {
	api.Unimplemented
	sync *slidingsync.Service
}

var _ api.StrictServerInterface = (*Server)(nil)

// New returns the sliding sync adapter.
func New(sync *slidingsync.Service) *Server { return &Server{sync: sync} }

// API hands the adapter to the HTTP server.
func (s *Server) API() httpserver.API {
	spec, err := api.GetSwagger()
	if err != nil {
		panic(fmt.Sprintf("embedded sliding sync spec: %v", err))
	}
	return httpserver.API{
		Spec:     spec,
		Register: func(e *echo.Echo) { api.RegisterHandlers(e, api.NewStrictHandler(s, nil)) },
	}
}

// SlidingSync serves POST /_matrix/client/v4/sync (MSC4186 as merged).
func (s *Server) SlidingSync(ctx context.Context, r api.SlidingSyncRequestObject) (api.SlidingSyncResponseObject, error) {
	b := r.Body
	req := base(ctx, slidingsync.ShapeV4, b.ConnId, b.Pos, b.Timeout, b.SetPresence, b.Extensions)
	if b.Lists != nil {
		for name, l := range *b.Lists {
			lc := slidingsync.ListConfig{RoomConfig: roomConfig(l.TimelineLimit, l.RequiredState), Filters: filters(l.Filters)}
			if l.Range != nil && len(*l.Range) == 2 {
				lc.Ranges = [][2]int{{(*l.Range)[0], (*l.Range)[1]}}
			}
			req.Lists[name] = lc
		}
	}
	if b.RoomSubscriptions != nil {
		for room, rc := range *b.RoomSubscriptions {
			req.Subscriptions[id.RoomID(room)] = roomConfig(rc.TimelineLimit, rc.RequiredState)
		}
	}
	body, err := s.sync.Sync(ctx, req)
	if err != nil {
		return nil, err
	}
	return api.SlidingSync200JSONResponse{SyncJSONResponse: body}, nil
}

// SlidingSyncUnstable serves
// POST /_matrix/client/unstable/org.matrix.simplified_msc3575/sync, as
// Element X (matrix-rust-sdk) sends it.
func (s *Server) SlidingSyncUnstable(ctx context.Context, r api.SlidingSyncUnstableRequestObject) (api.SlidingSyncUnstableResponseObject, error) {
	var presence *string
	if r.Params.SetPresence != nil {
		p := string(*r.Params.SetPresence)
		presence = &p
	}
	body, err := s.unstable(ctx, slidingsync.ShapeUnstable, r.Params.Pos, r.Params.Timeout, presence, r.Body)
	if err != nil {
		return nil, err
	}
	return api.SlidingSyncUnstable200JSONResponse{SyncJSONResponse: body}, nil
}

// SlidingSyncMSC3575 serves POST /_matrix/client/unstable/org.matrix.msc3575/sync.
func (s *Server) SlidingSyncMSC3575(ctx context.Context, r api.SlidingSyncMSC3575RequestObject) (api.SlidingSyncMSC3575ResponseObject, error) {
	var presence *string
	if r.Params.SetPresence != nil {
		p := string(*r.Params.SetPresence)
		presence = &p
	}
	body, err := s.unstable(ctx, slidingsync.ShapeMSC3575, r.Params.Pos, r.Params.Timeout, presence, (*api.UnstableSyncRequest)(r.Body))
	if err != nil {
		return nil, err
	}
	return api.SlidingSyncMSC3575200JSONResponse{SyncJSONResponse: body}, nil
}

func (s *Server) unstable(ctx context.Context, shape slidingsync.Shape, pos *string, timeout *int, presence *string, b *api.UnstableSyncRequest) ([]byte, error) {
	req := base(ctx, shape, b.ConnId, pos, timeout, presence, b.Extensions)
	who := accounts.Caller(ctx).UserID
	if b.Lists != nil {
		for name, l := range *b.Lists {
			lc := slidingsync.ListConfig{
				RoomConfig: slidingsync.RoomConfig{TimelineLimit: deref(l.TimelineLimit), RequiredState: statePairs(l.RequiredState, who)},
				Filters:    filters(l.Filters),
			}
			if l.Ranges != nil {
				lc.Ranges = [][2]int{}
				for _, rg := range *l.Ranges {
					if len(rg) == 2 {
						lc.Ranges = append(lc.Ranges, [2]int{rg[0], rg[1]})
					}
				}
			}
			req.Lists[name] = lc
		}
	}
	if b.RoomSubscriptions != nil {
		for room, rc := range *b.RoomSubscriptions {
			req.Subscriptions[id.RoomID(room)] = slidingsync.RoomConfig{TimelineLimit: deref(rc.TimelineLimit), RequiredState: statePairs(rc.RequiredState, who)}
		}
	}
	return s.sync.Sync(ctx, req)
}

// base reads what both shapes share.
func base(ctx context.Context, shape slidingsync.Shape, connID, pos *string, timeout *int, presence *string, ext *api.Extensions) slidingsync.Request {
	who := accounts.Caller(ctx)
	req := slidingsync.Request{
		User: who.UserID, Device: who.DeviceID, Shape: shape,
		ConnID: deref(connID), Pos: deref(pos), SetPresence: deref(presence),
		Timeout:       time.Duration(deref(timeout)) * time.Millisecond,
		Lists:         map[string]slidingsync.ListConfig{},
		Subscriptions: map[id.RoomID]slidingsync.RoomConfig{},
	}
	if ext != nil {
		req.Extensions = extensions(ext)
	}
	return req
}

func roomConfig(limit int, rs api.RequiredStateRequest) slidingsync.RoomConfig {
	out := slidingsync.RoomConfig{TimelineLimit: limit}
	out.RequiredState.LazyMembers = deref(rs.LazyMembers)
	for _, e := range deref(rs.Include) {
		out.RequiredState.Include = append(out.RequiredState.Include, element(e))
	}
	for _, e := range deref(rs.Exclude) {
		out.RequiredState.Exclude = append(out.RequiredState.Exclude, element(e))
	}
	return out
}

// element reads a RequiredStateElement: an omitted field matches all.
func element(e api.RequiredStateElement) slidingsync.StateMatch {
	return slidingsync.StateMatch{Type: deref(e.Type), StateKey: deref(e.StateKey), AnyType: e.Type == nil, AnyKey: e.StateKey == nil}
}

// statePairs reads the unstable [type, state_key] pairs: "*" matches all,
// "$LAZY" (for members) lazy-loads and "$ME" is the user.
func statePairs(pairs *api.StatePairs, me id.UserID) slidingsync.RequiredState {
	var rs slidingsync.RequiredState
	for _, p := range deref(pairs) {
		if len(p) != 2 {
			continue
		}
		t, k := p[0], p[1]
		if t == event.StateMember.Type && k == "$LAZY" {
			rs.LazyMembers = true
			continue
		}
		if k == "$ME" {
			k = string(me)
		}
		rs.Include = append(rs.Include, slidingsync.StateMatch{Type: t, StateKey: k, AnyType: t == "*", AnyKey: k == "*"})
	}
	return rs
}

func filters(f *api.RoomFilter) slidingsync.Filters {
	if f == nil {
		return slidingsync.Filters{}
	}
	out := slidingsync.Filters{IsDM: f.IsDm, IsEncrypted: f.IsEncrypted, IsInvited: f.IsInvited, Tags: deref(f.Tags), NotTags: deref(f.NotTags)}
	if out.IsInvited == nil {
		out.IsInvited = f.IsInvite // the unstable name
	}
	if f.Spaces != nil {
		out.Spaces = []id.RoomID{}
		for _, sp := range *f.Spaces {
			out.Spaces = append(out.Spaces, id.RoomID(sp))
		}
	}
	if f.RoomTypes != nil {
		out.HasRoomTypes = true
		out.RoomTypes = roomTypes(*f.RoomTypes)
	}
	if f.NotRoomTypes != nil {
		out.NotRoomTypes = roomTypes(*f.NotRoomTypes)
	}
	return out
}

// roomTypes reads room types, null (rooms without a type) as "".
func roomTypes(ts []*string) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = deref(t)
	}
	return out
}

func extensions(e *api.Extensions) slidingsync.Extensions {
	var out slidingsync.Extensions
	if e.ToDevice != nil && deref(e.ToDevice.Enabled) {
		out.ToDevice = &slidingsync.ToDeviceExtension{Since: deref(e.ToDevice.Since), Limit: deref(e.ToDevice.Limit)}
	}
	out.E2EE = e.E2ee != nil && deref(e.E2ee.Enabled)
	out.AccountData = scope(e.AccountData)
	out.Receipts = scope(e.Receipts)
	out.Typing = scope(e.Typing)
	return out
}

func scope(e *api.Extension) *slidingsync.RoomScope {
	if e == nil || !deref(e.Enabled) {
		return nil
	}
	return &slidingsync.RoomScope{Lists: derefNil(e.Lists), Rooms: derefNil(e.Rooms)}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func derefNil(p *[]string) []string {
	if p == nil {
		return nil
	}
	return *p
}
