package clientapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/httpserver"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/state"
	"github.com/hearth-hs/hearth/impl/rooms/timeline"
)

// GetRoomState serves GET /_matrix/client/v3/rooms/{roomId}/state.
func (s *Server) GetRoomState(ctx context.Context, r api.GetRoomStateRequestObject) (api.GetRoomStateResponseObject, error) {
	view, err := s.roomView(ctx, r.RoomId)
	if err != nil {
		return nil, err
	}
	evs, err := s.rooms.StateEvents(ctx, view.Snapshot, nil)
	if err != nil {
		return nil, err
	}
	rendered, err := s.timeline.Render(ctx, evs, viewer(ctx), timeline.RenderOptions{})
	if err != nil {
		return nil, err
	}
	out := make(api.GetRoomState200JSONResponse, len(rendered))
	for i, e := range rendered {
		out[i] = api.ClientEvent(e)
	}
	return out, nil
}

// GetRoomStateWithKey serves
// GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}.
func (s *Server) GetRoomStateWithKey(ctx context.Context, r api.GetRoomStateWithKeyRequestObject) (api.GetRoomStateWithKeyResponseObject, error) {
	view, err := s.roomView(ctx, r.RoomId)
	if err != nil {
		return nil, err
	}
	ev, err := s.rooms.StateEvent(ctx, view.Snapshot, state.Key{Type: r.EventType, StateKey: r.StateKey})
	if err != nil {
		return nil, err
	}
	if r.Params.Format != nil && *r.Params.Format == api.GetRoomStateWithKeyParamsFormatEvent {
		rendered, err := s.timeline.Render(ctx, []*events.Event{ev}, viewer(ctx), timeline.RenderOptions{})
		if err != nil {
			return nil, err
		}
		return api.GetRoomStateWithKey200JSONResponse(rendered[0]), nil
	}
	return api.GetRoomStateWithKey200JSONResponse(ev.Content()), nil
}

// SetRoomStateWithKey serves
// PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}.
func (s *Server) SetRoomStateWithKey(ctx context.Context, r api.SetRoomStateWithKeyRequestObject) (api.SetRoomStateWithKeyResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	key := r.StateKey
	evID, err := s.rooms.Send(ctx, rooms.SendParams{
		Room: room, Sender: accounts.Caller(ctx).UserID, Type: r.EventType, StateKey: &key, Content: *r.Body,
	})
	if err != nil {
		return nil, err
	}
	return api.SetRoomStateWithKey200JSONResponse{EventId: string(evID)}, nil
}

func (s *Server) roomView(ctx context.Context, roomID string) (*rooms.RoomView, error) {
	room, err := mxid.ParseRoomID(roomID)
	if err != nil {
		return nil, err
	}
	return s.rooms.View(ctx, room, accounts.Caller(ctx).UserID)
}

const (
	statePath      = "/_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}"
	stateNoKey     = "/_matrix/client/v3/rooms/:roomId/state/:eventType"
	stateEmptyKey  = "/_matrix/client/v3/rooms/:roomId/state/:eventType/"
	stateKeyParam  = "stateKey"
	formatQueryKey = "format"
)

// stateAliases route the empty state key, which a client writes as
// /state/{eventType} or /state/{eventType}/.
var stateAliases = []httpserver.RouteAlias{
	{Method: http.MethodGet, Path: stateNoKey, Of: statePath, Omit: []string{stateKeyParam}},
	{Method: http.MethodGet, Path: stateEmptyKey, Of: statePath, Omit: []string{stateKeyParam}},
	{Method: http.MethodPut, Path: stateNoKey, Of: statePath, Omit: []string{stateKeyParam}},
	{Method: http.MethodPut, Path: stateEmptyKey, Of: statePath, Omit: []string{stateKeyParam}},
}

// registerStateAliases routes stateAliases to the state handlers with an
// empty state key.
func (s *Server) registerStateAliases(e *echo.Echo) {
	get := func(c echo.Context) error {
		req := api.GetRoomStateWithKeyRequestObject{RoomId: pathParam(c, "roomId"), EventType: pathParam(c, "eventType")}
		if f := c.QueryParam(formatQueryKey); f != "" {
			format := api.GetRoomStateWithKeyParamsFormat(f)
			req.Params.Format = &format
		}
		resp, err := s.GetRoomStateWithKey(c.Request().Context(), req)
		if err != nil {
			return err
		}
		return resp.VisitGetRoomStateWithKeyResponse(c.Response())
	}
	put := func(c echo.Context) error {
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		raw := api.SetRoomStateWithKeyJSONRequestBody(json.RawMessage(body))
		resp, err := s.SetRoomStateWithKey(c.Request().Context(), api.SetRoomStateWithKeyRequestObject{
			RoomId: pathParam(c, "roomId"), EventType: pathParam(c, "eventType"), Body: &raw,
		})
		if err != nil {
			return err
		}
		return resp.VisitSetRoomStateWithKeyResponse(c.Response())
	}
	for _, a := range stateAliases {
		h := get
		if a.Method == http.MethodPut {
			h = put
		}
		e.Add(a.Method, a.Path, h)
	}
}

// pathParam is a path parameter, percent-decoded.
func pathParam(c echo.Context, name string) string {
	v := c.Param(name)
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}
