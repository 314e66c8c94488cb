package rooms

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/lock"
	"github.com/hearth-hs/hearth/impl/rooms/state"
)

// UpgradeParams is a request to replace a room by a new room of another
// room version.
type UpgradeParams struct {
	Room    id.RoomID
	User    id.UserID
	Version id.RoomVersion
	// AdditionalCreators are the new room's creators besides User, for
	// room versions with privileged creators (12 on); other versions
	// ignore them. The old room's additional creators are not carried over.
	AdditionalCreators []id.UserID
}

// upgradeCopied are the state events (empty state key) a replacement room
// takes over from its predecessor: those v1.19 client-server "Room
// upgrades" (server behaviour, step 3) recommends, but power levels, which
// come last (see planUpgrade).
var upgradeCopied = []string{
	event.StateServerACL.Type, event.StateEncryption.Type, event.StateRoomName.Type, event.StateRoomAvatar.Type,
	event.StateTopic.Type, event.StateGuestAccess.Type, event.StateHistoryVisibility.Type, event.StateJoinRules.Type,
}

// upgradePlan is what an upgrade writes, worked out under the old room's
// lock.
type upgradePlan struct {
	roomID    id.RoomID
	newEvents []newEvent
	oldEvents []newEvent
	published bool
}

// Upgrade replaces a room by a new one of p.Version, as v1.19 client-server
// "Room upgrades" describes, and returns the new room's ID. The user needs
// the power to send m.room.tombstone in the old room. The new room's create
// event names its predecessor; p.User is its creator, joined, and it gets
// the old room's name, topic, avatar, encryption, join rules, history
// visibility, guest access, server ACL, canonical alias, space children (for
// spaces), bans and power levels (from room version 12, without its
// creators, who have unlimited power). The old room's local aliases and its
// place in the public room list move to the new room. In the old room, the
// canonical alias is cleared, the tombstone sent and the power levels
// raised so that ordinary members can no longer speak or invite, where the
// user's power allows each.
//
// It all happens in one transaction, holding the old room's lock: a failure
// at any step leaves no trace of the upgrade. Errors: M_UNSUPPORTED_ROOM_VERSION,
// M_FORBIDDEN (not in the room, not enough power), M_BAD_STATE (the room was
// upgraded already).
func (s *Service) Upgrade(ctx context.Context, p UpgradeParams) (id.RoomID, error) {
	if !slices.Contains(CreatableVersions, p.Version) {
		return "", mxerr.New(mxerr.UnsupportedRoomVersion, "this server does not create rooms of version %q", p.Version)
	}
	// Keys are interned outside the transaction (see state.Store.KeyNID).
	// Every other key the upgrade writes is in the old room's state already.
	keys := map[state.Key]state.KeyNID{}
	for _, k := range []state.Key{
		{Type: event.StateCreate.Type}, {Type: event.StateMember.Type, StateKey: string(p.User)},
		{Type: event.StatePowerLevels.Type}, {Type: event.StateCanonicalAlias.Type}, {Type: event.StateTombstone.Type},
	} {
		n, err := s.state.KeyNID(ctx, k)
		if err != nil {
			return "", err
		}
		keys[k] = n
	}
	join := s.memberContent(ctx, p.User, event.MembershipJoin, "")
	var newRoom id.RoomID
	err := s.write(ctx, p.Room, func(q *pg.Pipeline, oldHeld lock.Held) error {
		plan, err := s.planUpgrade(ctx, q, p, keys, join)
		if err != nil {
			return err
		}
		newHeld, err := lock.Room(ctx, q, plan.roomID)
		if err != nil {
			return err
		}
		if _, err := s.q.RoomInsert(ctx, q, db.RoomInsertParams{RoomID: string(plan.roomID), RoomVersion: string(p.Version)}); err != nil {
			return fmt.Errorf("insert room %s: %w", plan.roomID, err)
		}
		for _, ne := range plan.newEvents {
			if _, err := s.appendTx(ctx, q, newHeld, ne); err != nil {
				return fmt.Errorf("upgrade %s: %s in the new room: %w", p.Room, ne.Type, err)
			}
		}
		if err := s.q.AliasesMoveRoom(ctx, q, db.AliasesMoveRoomParams{NewRoomID: string(plan.roomID), OldRoomID: string(p.Room)}); err != nil {
			return fmt.Errorf("move aliases of %s: %w", p.Room, err)
		}
		if plan.published {
			for room, published := range map[id.RoomID]bool{plan.roomID: true, p.Room: false} {
				if _, err := s.q.RoomSetPublished(ctx, q, db.RoomSetPublishedParams{RoomID: string(room), Published: published}); err != nil {
					return fmt.Errorf("move %s in the room list: %w", p.Room, err)
				}
			}
		}
		for _, ne := range plan.oldEvents {
			if _, err := s.appendTx(ctx, q, oldHeld, ne); err != nil {
				return fmt.Errorf("upgrade %s: %s in the old room: %w", p.Room, ne.Type, err)
			}
		}
		newRoom = plan.roomID
		return nil
	})
	if err != nil {
		return "", err
	}
	s.log.InfoContext(ctx, "upgraded room", "room_id", p.Room, "new_room_id", newRoom, "room_version", p.Version, "user_id", p.User)
	return newRoom, nil
}

// planUpgrade reads the old room under its lock, checks the user may
// upgrade it, and works out the events of both rooms.
func (s *Service) planUpgrade(ctx context.Context, q *pg.Pipeline, p UpgradeParams, keys map[state.Key]state.KeyNID, join []byte) (*upgradePlan, error) {
	r, err := s.roomNID(ctx, q, p.Room, errUnknownRoom)
	if err != nil {
		return nil, err
	}
	oldVersion := id.RoomVersion(r.RoomVersion)
	m, err := s.q.MembershipGet(ctx, q, db.MembershipGetParams{RoomID: string(p.Room), UserID: p.User})
	if pg.IsNoRows(err) || (err == nil && m.Membership != string(event.MembershipJoin)) {
		return nil, errUnknownRoom
	}
	if err != nil {
		return nil, fmt.Errorf("read membership of %s: %w", p.User, err)
	}
	pl, err := s.powerLevels(ctx, q, r.RoomNid, p.Room, oldVersion)
	if err != nil {
		return nil, err
	}
	level := pl.GetUserLevel(p.User)
	if level < pl.GetEventLevel(event.StateTombstone) {
		return nil, mxerr.New(mxerr.Forbidden, "you need the power to send m.room.tombstone events to upgrade this room")
	}

	current, err := s.currentState(ctx, q, r.RoomNid)
	if err != nil {
		return nil, err
	}
	if t := current.event(event.StateTombstone.Type, ""); t != nil {
		return nil, mxerr.New(mxerr.BadState, "this room was upgraded already, to %s", gjson.GetBytes(t.Content(), "replacement_room").Str)
	}
	createEv := current.event(event.StateCreate.Type, "")
	if createEv == nil {
		return nil, fmt.Errorf("upgrade %s: the room has no create event", p.Room)
	}
	lastEvent, err := s.lastEventID(ctx, q, r.LatestEventNids)
	if err != nil {
		return nil, err
	}

	plan := &upgradePlan{published: r.Published}
	ts := s.now().UnixMilli()
	createContent := upgradeCreateContent(p, createEv.Content(), lastEvent)
	create := newEvent{Type: event.StateCreate.Type, StateKey: ptr(""), KeyNID: keys[state.Key{Type: event.StateCreate.Type}],
		Sender: p.User, Content: createContent, TS: ts}
	if p.Version.RoomIDIsCreateEventID() {
		if plan.roomID, err = s.derivedRoomID(&createPlan{version: p.Version, events: []newEvent{create}}); err != nil {
			return nil, err
		}
	} else {
		plan.roomID = id.RoomID("!" + mxid.NewOpaque(18) + ":" + s.serverName)
	}

	// The new room. Until its power levels, which come last, its creator has
	// the power of a room without power levels: enough for every event here
	// (v1.19 room versions, authorization rules).
	add := func(ev *events.Event, content []byte) {
		plan.newEvents = append(plan.newEvents, newEvent{Type: ev.Type, StateKey: ev.StateKey, KeyNID: current.keyOf(ev), Sender: p.User, Content: content})
	}
	plan.newEvents = append(plan.newEvents, create, newEvent{Type: event.StateMember.Type, StateKey: ptr(string(p.User)),
		KeyNID: keys[state.Key{Type: event.StateMember.Type, StateKey: string(p.User)}], Sender: p.User, Content: join, TS: ts})
	for _, t := range upgradeCopied {
		if ev := current.event(t, ""); ev != nil {
			add(ev, ev.Content())
		}
	}
	alias := current.event(event.StateCanonicalAlias.Type, "")
	if alias != nil && hasAliases(alias.Content()) {
		add(alias, alias.Content())
	}
	if gjson.GetBytes(createEv.Content(), "type").Str == string(event.RoomTypeSpace) {
		for _, ev := range current.ofType(event.StateSpaceChild.Type) {
			if len(gjson.GetBytes(ev.Content(), "via").Array()) > 0 { // an empty one removed the child
				add(ev, ev.Content())
			}
		}
	}
	for _, ev := range current.ofType(event.StateMember.Type) {
		if gjson.GetBytes(ev.Content(), "membership").Str == string(event.MembershipBan) {
			c := map[string]string{"membership": string(event.MembershipBan)}
			if reason := gjson.GetBytes(ev.Content(), "reason"); reason.Type == gjson.String {
				c["reason"] = reason.Str
			}
			b, _ := json.Marshal(c)
			add(ev, b)
		}
	}
	if plEv := current.event(event.StatePowerLevels.Type, ""); plEv != nil {
		content, err := upgradePowerLevels(p, oldVersion, plEv.Content())
		if err != nil {
			return nil, err
		}
		add(plEv, content)
	}

	// The old room: step 4's aliases leave it, step 5's tombstone, step 6's
	// restricted power levels, each where the user's power allows.
	if alias != nil && hasAliases(alias.Content()) && level >= pl.GetEventLevel(event.StateCanonicalAlias) {
		plan.oldEvents = append(plan.oldEvents, newEvent{Type: alias.Type, StateKey: alias.StateKey, KeyNID: current.keyOf(alias), Sender: p.User, Content: []byte("{}")})
	}
	tombstone, _ := json.Marshal(map[string]string{"body": "This room has been replaced", "replacement_room": string(plan.roomID)})
	plan.oldEvents = append(plan.oldEvents, newEvent{Type: event.StateTombstone.Type, StateKey: ptr(""),
		KeyNID: keys[state.Key{Type: event.StateTombstone.Type}], Sender: p.User, Content: tombstone})
	if plEv := current.event(event.StatePowerLevels.Type, ""); plEv != nil {
		restricted, floor, changed := restrictPowerLevels(plEv.Content())
		if changed && level >= pl.GetEventLevel(event.StatePowerLevels) && int64(level) >= floor {
			plan.oldEvents = append(plan.oldEvents, newEvent{Type: plEv.Type, StateKey: plEv.StateKey, KeyNID: current.keyOf(plEv), Sender: p.User, Content: restricted})
		}
	}
	return plan, nil
}

// upgradeCreateContent is the new room's create content: its version, its
// predecessor (with the old room's last event, v1.16's optional event_id),
// the old room's type and federation flag, the creator where the version
// still names it and the additional creators where it has them.
func upgradeCreateContent(p UpgradeParams, old []byte, lastEvent id.EventID) []byte {
	predecessor := map[string]any{"room_id": string(p.Room)}
	if lastEvent != "" {
		predecessor["event_id"] = string(lastEvent)
	}
	c := map[string]any{"room_version": string(p.Version), "predecessor": predecessor}
	if t := gjson.GetBytes(old, "type"); t.Type == gjson.String {
		c["type"] = t.Str
	}
	if f := gjson.GetBytes(old, `m\.federate`); f.Type == gjson.False {
		c["m.federate"] = false
	}
	if p.Version.CreatorInContent() {
		c["creator"] = string(p.User)
	}
	if p.Version.PrivilegedRoomCreators() {
		var extra []string
		for _, u := range p.AdditionalCreators {
			if u != p.User && !slices.Contains(extra, string(u)) {
				extra = append(extra, string(u))
			}
		}
		if len(extra) > 0 {
			c["additional_creators"] = extra
		}
	}
	b, _ := json.Marshal(c) // strings and maps of them: cannot fail
	return b
}

// upgradePowerLevels is the new room's power levels: the old room's, where
// creators of the new version (12 on) are not listed, and where an old
// creator of a room with privileged creators, now in a version without,
// gets the highest level of the room (at least 100) rather than none.
// Numbers keep their bytes.
func upgradePowerLevels(p UpgradeParams, oldVersion id.RoomVersion, old []byte) ([]byte, error) {
	var pl map[string]json.RawMessage
	if err := json.Unmarshal(old, &pl); err != nil {
		return nil, fmt.Errorf("decode power levels of %s: %w", p.Room, err)
	}
	users := map[string]json.RawMessage{}
	if raw, ok := pl["users"]; ok {
		if err := json.Unmarshal(raw, &users); err != nil {
			return nil, fmt.Errorf("decode power levels of %s: %w", p.Room, err)
		}
	}
	switch {
	case p.Version.PrivilegedRoomCreators():
		delete(users, string(p.User))
		for _, u := range p.AdditionalCreators {
			delete(users, string(u))
		}
	case oldVersion.PrivilegedRoomCreators():
		if _, listed := users[string(p.User)]; !listed {
			top := int64(100)
			for _, raw := range users {
				if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil && n > top {
					top = n
				}
			}
			users[string(p.User)] = json.RawMessage(strconv.FormatInt(top, 10))
		}
	}
	b, err := json.Marshal(users)
	if err != nil {
		return nil, err
	}
	pl["users"] = b
	return json.Marshal(pl)
}

// restrictPowerLevels raises events_default and invite to the greater of 50
// and users_default + 1, so that ordinary members of a replaced room can
// no longer speak or invite (v1.19 client-server "Room upgrades", server
// behaviour, step 6). It returns the new content, that level, and whether
// anything changed.
func restrictPowerLevels(old []byte) ([]byte, int64, bool) {
	var pl map[string]json.RawMessage
	if err := json.Unmarshal(old, &pl); err != nil {
		return nil, 0, false
	}
	floor := max(50, gjson.GetBytes(old, "users_default").Int()+1)
	changed := false
	for _, k := range []string{"events_default", "invite"} {
		if gjson.GetBytes(old, k).Int() < floor {
			pl[k] = json.RawMessage(strconv.FormatInt(floor, 10))
			changed = true
		}
	}
	b, err := json.Marshal(pl)
	if err != nil {
		return nil, 0, false
	}
	return b, floor, changed
}

// hasAliases tells whether canonical alias content names any alias.
func hasAliases(content []byte) bool {
	c := gjson.ParseBytes(content)
	return c.Get("alias").Str != "" || len(c.Get("alt_aliases").Array()) > 0
}

// lastEventID is the ID of the deepest of the room's latest events.
func (s *Service) lastEventID(ctx context.Context, q db.DBTX, latest []int64) (id.EventID, error) {
	rows, err := s.q.EventIDsByNIDs(ctx, q, latest)
	if err != nil {
		return "", fmt.Errorf("read latest events: %w", err)
	}
	var last id.EventID
	depth := int64(-1)
	for _, row := range rows {
		if row.Depth > depth {
			last, depth = id.EventID(row.EventID), row.Depth
		}
	}
	return last, nil
}

// roomState is a room's current state with its events, as an upgrade reads
// it under the room's lock.
type roomState struct {
	keys   map[state.Key]state.KeyNID
	byKey  map[state.KeyNID]*events.Event
	byType map[string][]*events.Event
}

// currentState reads a room's whole current state.
func (s *Service) currentState(ctx context.Context, q db.DBTX, roomNID int64) (*roomState, error) {
	rows, err := s.q.CurrentStateAll(ctx, q, roomNID)
	if err != nil {
		return nil, fmt.Errorf("read current state: %w", err)
	}
	keyNIDs := make([]state.KeyNID, len(rows))
	eventNIDs := make([]events.NID, len(rows))
	for i, row := range rows {
		keyNIDs[i], eventNIDs[i] = state.KeyNID(row.KeyNid), events.NID(row.EventNid)
	}
	keys, err := s.state.Keys(ctx, q, keyNIDs)
	if err != nil {
		return nil, err
	}
	evs, err := events.ByNIDs(ctx, q, eventNIDs)
	if err != nil {
		return nil, err
	}
	byNID := make(map[events.NID]*events.Event, len(evs))
	for _, ev := range evs {
		byNID[ev.NID] = ev
	}
	st := &roomState{keys: map[state.Key]state.KeyNID{}, byKey: map[state.KeyNID]*events.Event{}, byType: map[string][]*events.Event{}}
	for i, kn := range keyNIDs {
		ev := byNID[eventNIDs[i]]
		if ev == nil {
			continue
		}
		k := keys[kn]
		st.keys[k] = kn
		st.byKey[kn] = ev
		st.byType[k.Type] = append(st.byType[k.Type], ev)
	}
	for _, evs := range st.byType {
		slices.SortFunc(evs, func(a, b *events.Event) int { return int(a.NID - b.NID) })
	}
	return st, nil
}

func (st *roomState) event(evType, stateKey string) *events.Event {
	return st.byKey[st.keys[state.Key{Type: evType, StateKey: stateKey}]]
}

func (st *roomState) ofType(evType string) []*events.Event { return st.byType[evType] }

func (st *roomState) keyOf(ev *events.Event) state.KeyNID {
	return st.keys[state.Key{Type: ev.Type, StateKey: *ev.StateKey}]
}
