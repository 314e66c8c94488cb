package directory

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
)

// Summary is what the directory shows of a room.
type Summary struct {
	RoomID            id.RoomID
	Version           id.RoomVersion
	Name              string
	Topic             string
	CanonicalAlias    id.RoomAlias
	AvatarURL         string
	JoinRule          string // "" when the room has no join rules
	HistoryVisibility string
	GuestAccess       string
	RoomType          string // "" for plain rooms
	Encryption        string // the algorithm, "" when not encrypted
	// AllowedRoomIDs are the rooms a restricted join rule lets members of
	// join from.
	AllowedRoomIDs []id.RoomID
	JoinedMembers  int
}

// WorldReadable tells whether anyone may read the room's history.
func (s *Summary) WorldReadable() bool { return s.HistoryVisibility == "world_readable" }

// GuestCanJoin tells whether guests may join.
func (s *Summary) GuestCanJoin() bool { return s.GuestAccess == "can_join" }

var errRoomNotFound = mxerr.New(mxerr.NotFound, "room not found")

// summarised are the state events (empty state key) a summary is made of.
var summarised = []string{
	event.StateCreate.Type, event.StateRoomName.Type, event.StateTopic.Type, event.StateCanonicalAlias.Type,
	event.StateRoomAvatar.Type, event.StateJoinRules.Type, event.StateHistoryVisibility.Type,
	event.StateGuestAccess.Type, event.StateEncryption.Type,
}

// summary returns a room's summary, brought up to date; an unknown room is
// M_NOT_FOUND.
func (s *Service) summary(ctx context.Context, room id.RoomID) (*Summary, error) {
	if err := s.refresh(ctx, false, []string{string(room)}); err != nil {
		return nil, err
	}
	row, err := s.q.SummaryGet(ctx, s.pool, string(room))
	if pg.IsNoRows(err) {
		return nil, errRoomNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read summary of %s: %w", room, err)
	}
	return summaryFromRow(room, id.RoomVersion(row.RoomVersion), row.RoomSummary), nil
}

// RefreshSummaries brings the cached summaries of the given rooms up to
// date with their current state (sliding sync's room lists read them).
func (s *Service) RefreshSummaries(ctx context.Context, roomIDs []string) error {
	return s.refresh(ctx, false, roomIDs)
}

// refresh recomputes the cached summaries that are older than their room's
// current state: of every published room when published is set, and of
// the rooms named. Up-to-date rooms cost one statement in all.
func (s *Service) refresh(ctx context.Context, published bool, roomIDs []string) error {
	params := db.SummaryStaleParams{Published: published, RoomIds: roomIDs}
	stale, err := s.q.SummaryStale(ctx, s.pool, params)
	if err != nil {
		return fmt.Errorf("find stale room summaries: %w", err)
	}
	if len(stale) == 0 {
		return nil
	}
	// The snapshots, counts and state are read again in one snapshot of the
	// database, so that each row matches the snapshot NID it is stored with.
	var fresh []db.SummaryUpsertParams
	err = pg.InTxOptions(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		stale, err := s.q.SummaryStale(ctx, tx, params)
		if err != nil {
			return fmt.Errorf("find stale room summaries: %w", err)
		}
		nids := make([]int64, len(stale))
		for i, r := range stale {
			nids[i] = r.RoomNid
		}
		rows, err := s.q.SummaryState(ctx, tx, db.SummaryStateParams{Types: summarised, RoomNids: nids})
		if err != nil {
			return fmt.Errorf("read state for room summaries: %w", err)
		}
		contents := map[int64]map[string]gjson.Result{}
		for _, row := range rows {
			if contents[row.RoomNid] == nil {
				contents[row.RoomNid] = map[string]gjson.Result{}
			}
			contents[row.RoomNid][row.Type] = gjson.GetBytes(row.Pdu, "content")
		}
		fresh = fresh[:0]
		for _, r := range stale {
			fresh = append(fresh, summarise(r, contents[r.RoomNid]))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		for _, p := range fresh {
			if err := s.q.SummaryUpsert(ctx, tx, p); err != nil {
				return fmt.Errorf("store summary of room %d: %w", p.RoomNid, err)
			}
		}
		return nil
	})
}

// summarise makes a room's summary row from its state contents, by type.
func summarise(r db.SummaryStaleRow, c map[string]gjson.Result) db.SummaryUpsertParams {
	str := func(evType, path string) *string {
		v := c[evType].Get(path)
		if v.Type != gjson.String || v.Str == "" {
			return nil
		}
		return &v.Str
	}
	p := db.SummaryUpsertParams{
		RoomNid: r.RoomNid, SnapshotNid: r.SnapshotNid, JoinedMembers: r.JoinedMembers,
		Name:              str(event.StateRoomName.Type, "name"),
		Topic:             plainTopic(c[event.StateTopic.Type]),
		CanonicalAlias:    str(event.StateCanonicalAlias.Type, "alias"),
		AvatarUrl:         str(event.StateRoomAvatar.Type, "url"),
		JoinRule:          str(event.StateJoinRules.Type, "join_rule"),
		HistoryVisibility: str(event.StateHistoryVisibility.Type, "history_visibility"),
		GuestAccess:       str(event.StateGuestAccess.Type, "guest_access"),
		RoomType:          str(event.StateCreate.Type, "type"),
		Encryption:        str(event.StateEncryption.Type, "algorithm"),
		AllowedRoomIds:    []string{},
	}
	if p.JoinRule != nil && (*p.JoinRule == "restricted" || *p.JoinRule == "knock_restricted") {
		for _, a := range c[event.StateJoinRules.Type].Get("allow").Array() {
			if a.Get("type").Str == "m.room_membership" && a.Get("room_id").Type == gjson.String {
				p.AllowedRoomIds = append(p.AllowedRoomIds, a.Get("room_id").Str)
			}
		}
	}
	return p
}

// plainTopic is a topic's text/plain form: from m.topic (v1.15) when it has
// one, else the plain topic field.
func plainTopic(c gjson.Result) *string {
	for _, t := range c.Get(`m\.topic.m\.text`).Array() {
		mime := t.Get("mimetype")
		if (!mime.Exists() || mime.Str == "text/plain") && t.Get("body").Type == gjson.String {
			body := t.Get("body").Str
			return &body
		}
	}
	if t := c.Get("topic"); t.Type == gjson.String && t.Str != "" {
		return &t.Str
	}
	return nil
}

func summaryFromRow(room id.RoomID, version id.RoomVersion, r db.RoomSummary) *Summary {
	s := &Summary{
		RoomID: room, Version: version, JoinedMembers: int(r.JoinedMembers),
		Name: deref(r.Name), Topic: deref(r.Topic), CanonicalAlias: id.RoomAlias(deref(r.CanonicalAlias)),
		AvatarURL: deref(r.AvatarUrl), JoinRule: deref(r.JoinRule), HistoryVisibility: deref(r.HistoryVisibility),
		GuestAccess: deref(r.GuestAccess), RoomType: deref(r.RoomType), Encryption: deref(r.Encryption),
	}
	for _, a := range r.AllowedRoomIds {
		s.AllowedRoomIDs = append(s.AllowedRoomIDs, id.RoomID(a))
	}
	return s
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
