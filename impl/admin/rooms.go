package admin

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/state"
)

// Room is a room as the admin room list shows it.
type Room struct {
	ID                 id.RoomID
	Version            id.RoomVersion
	Name               *string
	CanonicalAlias     *string
	JoinedMembers      int
	JoinedLocalMembers int
	Creator            id.UserID
	Encryption         *string
	Federatable        bool
	Public             bool
	JoinRules          *string
	GuestAccess        *string
	HistoryVisibility  *string
	StateEvents        int
	RoomType           *string
}

// RoomDetails adds what the admin room details show.
type RoomDetails struct {
	Room
	Topic              *string
	Avatar             *string
	JoinedLocalDevices int
	Blocked            bool
}

// RoomQuery filters and orders the room list as Synapse's does.
type RoomQuery struct {
	// Search keeps rooms whose ID, name or canonical alias contains it.
	Search string
	// Public and Empty keep published (or not) and empty (or not) rooms.
	Public, Empty *bool
	// OrderBy is one of Synapse's order_by values (name, joined_members,
	// state_events, ...); ties go by room ID.
	OrderBy       string
	Descending    bool
	Offset, Limit int
}

// Rooms lists the rooms this server has and says how many match in all.
func (s *Service) Rooms(ctx context.Context, actor accounts.Principal, q RoomQuery) ([]Room, int64, error) {
	if err := authorize(actor); err != nil {
		return nil, 0, err
	}
	if err := s.freshSummaries(ctx); err != nil {
		return nil, 0, err
	}
	switch q.OrderBy {
	case "alphabetical": // Synapse's deprecated names
		q.OrderBy = "name"
	case "size":
		q.OrderBy = "joined_members"
	}
	p := db.AdminRoomListParams{Search: q.Search, Public: q.Public, Empty: q.Empty,
		Descending: q.Descending, OrderBy: q.OrderBy, Off: int32(q.Offset), Lim: int32(q.Limit)}
	var rows []db.AdminRoomListRow
	var err error
	switch q.OrderBy {
	case "joined_local_members", "state_events", "creator":
		var byCount []db.AdminRoomListByCountRow
		byCount, err = s.q.AdminRoomListByCount(ctx, s.pool, db.AdminRoomListByCountParams{Search: p.Search, Public: p.Public,
			Empty: p.Empty, Descending: p.Descending, OrderBy: p.OrderBy, Off: p.Off, Lim: p.Lim})
		for _, r := range byCount {
			rows = append(rows, db.AdminRoomListRow(r))
		}
	default:
		rows, err = s.q.AdminRoomList(ctx, s.pool, p)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("list rooms: %w", err)
	}
	out := make([]Room, len(rows))
	var total int64
	for i, r := range rows {
		out[i] = Room{ID: id.RoomID(r.RoomID), Version: id.RoomVersion(r.RoomVersion), Name: r.Name, CanonicalAlias: r.CanonicalAlias,
			JoinedMembers: int(r.JoinedMembers), JoinedLocalMembers: int(r.JoinedLocalMembers), Encryption: r.Encryption,
			Public: r.Published, JoinRules: r.JoinRule, GuestAccess: r.GuestAccess, HistoryVisibility: r.HistoryVisibility,
			StateEvents: int(r.StateEvents), RoomType: r.RoomType}
		out[i].Creator, out[i].Federatable = createFacts(r.CreatePdu)
		total = r.Total
	}
	if len(rows) == 0 && q.Offset > 0 {
		q.Offset, q.Limit = 0, 1
		_, total, err = s.Rooms(ctx, actor, q)
	}
	return out, total, err
}

// freshSummaries brings the directory's summaries of every room up to
// date: the room list reads them.
func (s *Service) freshSummaries(ctx context.Context) error {
	stale, err := s.q.AdminRoomsStaleSummaries(ctx, s.pool)
	if err != nil {
		return fmt.Errorf("find stale room summaries: %w", err)
	}
	if len(stale) == 0 {
		return nil
	}
	return s.dir.RefreshSummaries(ctx, stale)
}

// createFacts reads the creator and m.federate of a create event: the
// content's creator in room versions before 11, else the sender.
func createFacts(pdu []byte) (id.UserID, bool) {
	if len(pdu) == 0 {
		return "", true
	}
	creator := gjson.GetBytes(pdu, "content.creator").Str
	if creator == "" {
		creator = gjson.GetBytes(pdu, "sender").Str
	}
	fed := gjson.GetBytes(pdu, "content.m\\.federate")
	return id.UserID(creator), !fed.Exists() || fed.Bool()
}

var errRoomNotFound = mxerr.New(mxerr.NotFound, "room not found")

// Room returns one room's details, or M_NOT_FOUND.
func (s *Service) Room(ctx context.Context, actor accounts.Principal, room id.RoomID) (RoomDetails, error) {
	if err := authorize(actor); err != nil {
		return RoomDetails{}, err
	}
	if err := s.dir.RefreshSummaries(ctx, []string{string(room)}); err != nil {
		return RoomDetails{}, err
	}
	r, err := s.q.AdminRoomGet(ctx, s.pool, string(room))
	if pg.IsNoRows(err) {
		return RoomDetails{}, errRoomNotFound
	}
	if err != nil {
		return RoomDetails{}, fmt.Errorf("get room %s: %w", room, err)
	}
	d := RoomDetails{Room: Room{ID: room, Version: id.RoomVersion(r.RoomVersion), Name: r.Name, CanonicalAlias: r.CanonicalAlias,
		JoinedMembers: int(r.JoinedMembers), JoinedLocalMembers: int(r.JoinedLocalMembers), Encryption: r.Encryption,
		Public: r.Published, JoinRules: r.JoinRule, GuestAccess: r.GuestAccess, HistoryVisibility: r.HistoryVisibility,
		StateEvents: int(r.StateEvents), RoomType: r.RoomType},
		Topic: r.Topic, Avatar: r.AvatarUrl, JoinedLocalDevices: int(r.JoinedLocalDevices), Blocked: r.Blocked}
	d.Creator, d.Federatable = createFacts(r.CreatePdu)
	return d, nil
}

// RoomMembers lists the users joined to a room.
func (s *Service) RoomMembers(ctx context.Context, actor accounts.Principal, room id.RoomID) ([]id.UserID, error) {
	if err := s.knownRoom(ctx, actor, room); err != nil {
		return nil, err
	}
	users, err := s.q.AdminRoomMembers(ctx, s.pool, string(room))
	if err != nil {
		return nil, fmt.Errorf("list members of %s: %w", room, err)
	}
	return users, nil
}

// RoomState returns a room's current state events in client form.
func (s *Service) RoomState(ctx context.Context, actor accounts.Principal, room id.RoomID) ([]json.RawMessage, error) {
	if err := authorize(actor); err != nil {
		return nil, err
	}
	r, err := s.q.AdminRoomGet(ctx, s.pool, string(room))
	if pg.IsNoRows(err) {
		return nil, errRoomNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get room %s: %w", room, err)
	}
	if r.CurrentSnapshotNid == nil {
		return []json.RawMessage{}, nil
	}
	evs, err := s.rooms.StateEvents(ctx, state.SnapshotNID(*r.CurrentSnapshotNid), nil)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]json.RawMessage, len(evs))
	for i, ev := range evs {
		out[i] = ev.AppendClient(nil, events.ClientOptions{Now: now})
	}
	return out, nil
}

func (s *Service) knownRoom(ctx context.Context, actor accounts.Principal, room id.RoomID) error {
	if err := authorize(actor); err != nil {
		return err
	}
	known, err := s.rooms.Known(ctx, room)
	if err != nil {
		return err
	}
	if !known {
		return errRoomNotFound
	}
	return nil
}
