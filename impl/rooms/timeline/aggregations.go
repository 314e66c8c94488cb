package timeline

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/stream"
)

// Relation types whose aggregations are bundled with events (spec v1.7+;
// annotations are left to clients).
const (
	relReplace    = "m.replace"
	relThread     = "m.thread"
	relReference  = "m.reference"
	relAnnotation = "m.annotation"
)

// aggregation is what is bundled with one event in unsigned.m.relations.
type aggregation struct {
	edit       *events.Event
	thread     *threadSummary
	references []string
}

type threadSummary struct {
	latest       *events.Event
	count        int64
	participated bool
}

// relation says that an event has relations of one type.
type relation struct {
	target  id.EventID
	relType string
}

// aggregationCandidates are the IDs of the events of evs that may have
// bundled aggregations: state events, edits and reactions have none.
func aggregationCandidates(evs []*events.Event) []string {
	var ids []string
	for _, e := range evs {
		if e.StateKey == nil && e.Pos != 0 && e.RelType != relReplace && e.RelType != relAnnotation {
			ids = append(ids, string(e.ID))
		}
	}
	return ids
}

// aggregations computes the bundled aggregations of evs for user, counting
// only relations at or before until, given which events have relations of
// which types (TimelineRenderLookups): one query per type found, run
// together. A redacted event gets no edit; an event in a thread is no
// thread root.
func (r *Reader) aggregations(ctx context.Context, evs []*events.Event, found []relation, user id.UserID, until stream.Pos) (map[id.EventID]*aggregation, error) {
	if len(found) == 0 {
		return nil, nil
	}
	byID := make(map[id.EventID]*events.Event, len(evs))
	for _, e := range evs {
		byID[e.ID] = e
	}
	var edited []*events.Event
	var threads, referenced []string
	for _, k := range found {
		e := byID[k.target]
		if e == nil {
			continue
		}
		switch k.relType {
		case relReplace:
			if e.RedactedBy == "" {
				edited = append(edited, e)
			}
		case relThread:
			if e.RelType != relThread {
				threads = append(threads, string(e.ID))
			}
		case relReference:
			referenced = append(referenced, string(e.ID))
		}
	}
	var edits map[id.EventID]*events.Event
	var summaries []db.TimelineThreadSummariesRow
	var refs []db.TimelineReferencesRow
	err := parallel(
		when(len(edited) > 0, func() (err error) {
			edits, err = r.latestEdits(ctx, edited, until)
			return err
		}),
		when(len(threads) > 0, func() (err error) {
			summaries, err = r.q.TimelineThreadSummaries(ctx, r.pool, db.TimelineThreadSummariesParams{
				UserID: string(user), RootIds: threads, Until: int64(until),
			})
			if err != nil {
				return fmt.Errorf("summarise %d threads: %w", len(threads), err)
			}
			return nil
		}),
		when(len(referenced) > 0, func() (err error) {
			refs, err = r.q.TimelineReferences(ctx, r.pool, db.TimelineReferencesParams{EventIds: referenced, Until: int64(until)})
			if err != nil {
				return fmt.Errorf("read references of %d events: %w", len(referenced), err)
			}
			return nil
		}),
	)
	if err != nil {
		return nil, err
	}
	out := map[id.EventID]*aggregation{}
	get := func(evID id.EventID) *aggregation {
		if out[evID] == nil {
			out[evID] = &aggregation{}
		}
		return out[evID]
	}
	for orig, edit := range edits {
		get(orig).edit = edit
	}
	for _, row := range summaries {
		root := byID[id.EventID(row.RootID)]
		latest := events.FromRow(row.Event, string(root.RoomID), string(root.Version))
		get(root.ID).thread = &threadSummary{latest: latest, count: row.N, participated: row.Participated || root.Sender == user}
	}
	for _, row := range refs {
		a := get(id.EventID(row.TargetID))
		a.references = append(a.references, row.EventID)
	}
	return out, nil
}

// latestEdits returns the latest valid edit of each of originals.
func (r *Reader) latestEdits(ctx context.Context, originals []*events.Event, until stream.Pos) (map[id.EventID]*events.Event, error) {
	if len(originals) == 0 {
		return nil, nil
	}
	byID := make(map[id.EventID]*events.Event, len(originals))
	ids := make([]string, len(originals))
	for i, e := range originals {
		byID[e.ID], ids[i] = e, string(e.ID)
	}
	rows, err := r.q.TimelineLatestEdits(ctx, r.pool, db.TimelineLatestEditsParams{EventIds: ids, Until: int64(until)})
	if err != nil {
		return nil, fmt.Errorf("read edits of %d events: %w", len(ids), err)
	}
	out := make(map[id.EventID]*events.Event, len(rows))
	for _, row := range rows {
		orig := byID[id.EventID(row.OriginalID)]
		out[orig.ID] = events.FromRow(row.Event, string(orig.RoomID), string(orig.Version))
	}
	return out, nil
}

// threadEdits finds the edits of the threads' latest events, bundled with
// them in turn.
func (r *Reader) threadEdits(ctx context.Context, aggs map[id.EventID]*aggregation, until stream.Pos) (map[id.EventID]*events.Event, error) {
	var latest []*events.Event
	for _, a := range aggs {
		if a.thread != nil && a.thread.latest.RedactedBy == "" && a.thread.latest.RelType != relReplace {
			latest = append(latest, a.thread.latest)
		}
	}
	return r.latestEdits(ctx, latest, until)
}

// appendRelations appends the m.relations object of an aggregation.
func appendRelations(dst []byte, a *aggregation, latestEdits map[id.EventID]*events.Event, now time.Time, omitRoomID bool) []byte {
	dst = append(dst, '{')
	sep := func() {
		if dst[len(dst)-1] != '{' {
			dst = append(dst, ',')
		}
	}
	if len(a.references) > 0 {
		dst = append(dst, `"m.reference":{"chunk":[`...)
		for i, evID := range a.references {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"event_id":`...)
			dst = strconv.AppendQuote(dst, evID)
			dst = append(dst, '}')
		}
		dst = append(dst, "]}"...)
	}
	if a.edit != nil {
		sep()
		dst = append(dst, `"m.replace":`...)
		dst = a.edit.AppendClient(dst, events.ClientOptions{Now: now, OmitRoomID: omitRoomID})
	}
	if t := a.thread; t != nil {
		sep()
		dst = append(dst, `"m.thread":{"count":`...)
		dst = strconv.AppendInt(dst, t.count, 10)
		dst = append(dst, `,"current_user_participated":`...)
		dst = strconv.AppendBool(dst, t.participated)
		dst = append(dst, `,"latest_event":`...)
		co := events.ClientOptions{Now: now, OmitRoomID: omitRoomID}
		if edit := latestEdits[t.latest.ID]; edit != nil {
			co.Relations = appendRelations(nil, &aggregation{edit: edit}, nil, now, omitRoomID)
		}
		dst = t.latest.AppendClient(dst, co)
		dst = append(dst, '}')
	}
	return append(dst, '}')
}
