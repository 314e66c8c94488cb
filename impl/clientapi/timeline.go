package clientapi

import (
	"context"
	"encoding/json"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/rooms/timeline"
)

// GetRoomEvents serves GET /_matrix/client/v3/rooms/{roomId}/messages.
func (s *Server) GetRoomEvents(ctx context.Context, r api.GetRoomEventsRequestObject) (api.GetRoomEventsResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	f, err := roomEventFilter(r.Params.Filter)
	if err != nil {
		return nil, err
	}
	page, err := s.timeline.Messages(ctx, room, viewer(ctx), timeline.MessagesQuery{
		From: deref(r.Params.From), To: deref(r.Params.To), Forward: r.Params.Dir == api.GetRoomEventsParamsDirF,
		Limit: r.Params.Limit, Filter: f,
	})
	if err != nil {
		return nil, err
	}
	resp := api.GetRoomEvents200JSONResponse{Start: page.Start, End: optional(page.End), Chunk: clientEvents(page.Chunk)}
	if page.State != nil {
		st := clientEvents(page.State)
		resp.State = &st
	}
	return resp, nil
}

// GetEventContext serves
// GET /_matrix/client/v3/rooms/{roomId}/context/{eventId}.
func (s *Server) GetEventContext(ctx context.Context, r api.GetEventContextRequestObject) (api.GetEventContextResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	evID, err := mxid.ParseEventID(r.EventId)
	if err != nil {
		return nil, err
	}
	f, err := roomEventFilter(r.Params.Filter)
	if err != nil {
		return nil, err
	}
	c, err := s.timeline.Context(ctx, room, evID, viewer(ctx), timeline.ContextQuery{Limit: r.Params.Limit, Filter: f})
	if err != nil {
		return nil, err
	}
	before, after, st := clientEvents(c.Before), clientEvents(c.After), clientEvents(c.State)
	return api.GetEventContext200JSONResponse{
		Start: &c.Start, End: &c.End, Event: api.ClientEvent(c.Event),
		EventsBefore: &before, EventsAfter: &after, State: &st,
	}, nil
}

// GetRelatingEvents serves
// GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}.
func (s *Server) GetRelatingEvents(ctx context.Context, r api.GetRelatingEventsRequestObject) (api.GetRelatingEventsResponseObject, error) {
	p := r.Params
	rel, err := s.relations(ctx, r.RoomId, r.EventId, timeline.RelationsQuery{
		From: deref(p.From), To: deref(p.To), Limit: p.Limit, Recurse: p.Recurse,
		Forward: p.Dir != nil && *p.Dir == api.GetRelatingEventsParamsDirF,
	})
	if err != nil {
		return nil, err
	}
	return api.GetRelatingEvents200JSONResponse{Chunk: clientEvents(rel.Chunk), NextBatch: optional(rel.NextBatch),
		PrevBatch: optional(rel.PrevBatch), RecursionDepth: rel.RecursionDepth}, nil
}

// GetRelatingEventsWithRelType serves
// GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}.
func (s *Server) GetRelatingEventsWithRelType(ctx context.Context, r api.GetRelatingEventsWithRelTypeRequestObject) (api.GetRelatingEventsWithRelTypeResponseObject, error) {
	p := r.Params
	rel, err := s.relations(ctx, r.RoomId, r.EventId, timeline.RelationsQuery{
		RelType: r.RelType, From: deref(p.From), To: deref(p.To), Limit: p.Limit, Recurse: p.Recurse,
		Forward: p.Dir != nil && *p.Dir == api.GetRelatingEventsWithRelTypeParamsDirF,
	})
	if err != nil {
		return nil, err
	}
	return api.GetRelatingEventsWithRelType200JSONResponse{Chunk: clientEvents(rel.Chunk), NextBatch: optional(rel.NextBatch),
		PrevBatch: optional(rel.PrevBatch), RecursionDepth: rel.RecursionDepth}, nil
}

// GetRelatingEventsWithRelTypeAndEventType serves
// GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}/{eventType}.
func (s *Server) GetRelatingEventsWithRelTypeAndEventType(ctx context.Context, r api.GetRelatingEventsWithRelTypeAndEventTypeRequestObject) (api.GetRelatingEventsWithRelTypeAndEventTypeResponseObject, error) {
	p := r.Params
	rel, err := s.relations(ctx, r.RoomId, r.EventId, timeline.RelationsQuery{
		RelType: r.RelType, EventType: r.EventType, From: deref(p.From), To: deref(p.To), Limit: p.Limit, Recurse: p.Recurse,
		Forward: p.Dir != nil && *p.Dir == api.GetRelatingEventsWithRelTypeAndEventTypeParamsDirF,
	})
	if err != nil {
		return nil, err
	}
	return api.GetRelatingEventsWithRelTypeAndEventType200JSONResponse{Chunk: clientEvents(rel.Chunk), NextBatch: optional(rel.NextBatch),
		PrevBatch: optional(rel.PrevBatch), RecursionDepth: rel.RecursionDepth}, nil
}

// relations is the one call behind the three forms of /relations.
func (s *Server) relations(ctx context.Context, roomID, eventID string, q timeline.RelationsQuery) (*timeline.Relations, error) {
	room, err := mxid.ParseRoomID(roomID)
	if err != nil {
		return nil, err
	}
	evID, err := mxid.ParseEventID(eventID)
	if err != nil {
		return nil, err
	}
	return s.timeline.Relations(ctx, room, evID, viewer(ctx), q)
}

// GetThreadRoots serves GET /_matrix/client/v1/rooms/{roomId}/threads.
func (s *Server) GetThreadRoots(ctx context.Context, r api.GetThreadRootsRequestObject) (api.GetThreadRootsResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	th, err := s.timeline.Threads(ctx, room, viewer(ctx), timeline.ThreadsQuery{
		Participated: r.Params.Include != nil && *r.Params.Include == api.Participated,
		From:         deref(r.Params.From), Limit: r.Params.Limit,
	})
	if err != nil {
		return nil, err
	}
	return api.GetThreadRoots200JSONResponse{Chunk: clientEvents(th.Chunk), NextBatch: optional(th.NextBatch)}, nil
}

// GetEventByTimestamp serves
// GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event.
func (s *Server) GetEventByTimestamp(ctx context.Context, r api.GetEventByTimestampRequestObject) (api.GetEventByTimestampResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	ev, err := s.timeline.EventAt(ctx, room, accounts.Caller(ctx).UserID, int64(r.Params.Ts), r.Params.Dir == api.GetEventByTimestampParamsDirF)
	if err != nil {
		return nil, err
	}
	return api.GetEventByTimestamp200JSONResponse{EventId: string(ev.ID), OriginServerTs: int(ev.OriginTS)}, nil
}

// roomEventFilter reads the inline filter of /messages and /context.
func roomEventFilter(raw *string) (*filter.RoomEventFilter, error) {
	if raw == nil || *raw == "" {
		return nil, nil
	}
	return filter.ParseRoomEventFilter([]byte(*raw))
}

func clientEvents(evs []json.RawMessage) []api.ClientEvent {
	out := make([]api.ClientEvent, len(evs))
	for i, e := range evs {
		out[i] = api.ClientEvent(e)
	}
	return out
}
