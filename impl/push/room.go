package push

import (
	"context"
	"fmt"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
)

// roomState is what rules ask of a room, read from its current state when
// first asked and kept for the other events and users of one evaluation
// pass. The first error is kept in err; answers are then false and zero.
type roomState struct {
	ctx     context.Context
	s       *Service
	q       db.DBTX
	nid     int64
	id      id.RoomID
	version id.RoomVersion

	count    int
	counted  bool
	pl       gjson.Result
	creators map[id.UserID]bool
	plRead   bool
	names    map[id.UserID]string
	err      error
}

func (s *Service) newRoomState(ctx context.Context, q db.DBTX, nid int64, room id.RoomID, version id.RoomVersion) *roomState {
	return &roomState{ctx: ctx, s: s, q: q, nid: nid, id: room, version: version, names: map[id.UserID]string{}}
}

// forEvent is the room as one event's rules see it.
func (r *roomState) forEvent(sender id.UserID) Room { return eventRoom{r, sender} }

type eventRoom struct {
	*roomState
	sender id.UserID
}

func (r eventRoom) SenderMayNotify(key string) bool { return r.mayNotify(r.sender, key) }

func (r *roomState) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// MemberCount implements Room: the joined members now.
func (r *roomState) MemberCount() int {
	if !r.counted {
		n, err := r.s.q.PushJoinedCount(r.ctx, r.q, r.nid)
		if err != nil {
			r.fail(fmt.Errorf("count members of %s: %w", r.id, err))
		}
		r.count, r.counted = int(n), true
	}
	return r.count
}

// mayNotify tells whether sender's power level reaches the level the
// room's power levels ask for the notification key (content.notifications;
// 50 when unset). Without power levels the creator has 100 and others 0;
// from room version 12 creators outrank every level.
func (r *roomState) mayNotify(sender id.UserID, key string) bool {
	if !r.plRead {
		r.readPowerLevels()
	}
	if r.creators[sender] {
		return true
	}
	required := int64(50)
	if v := r.pl.Get("notifications." + gjson.Escape(key)); v.Exists() {
		required = v.Int()
	}
	return r.userLevel(sender) >= required
}

func (r *roomState) userLevel(user id.UserID) int64 {
	if !r.pl.Exists() {
		return 0
	}
	if v := r.pl.Get("users." + gjson.Escape(string(user))); v.Exists() {
		return v.Int()
	}
	return r.pl.Get("users_default").Int()
}

func (r *roomState) readPowerLevels() {
	r.plRead = true
	r.creators = map[id.UserID]bool{}
	rows, err := r.s.q.PushRoomState(r.ctx, r.q, db.PushRoomStateParams{RoomNid: r.nid,
		Types: []string{event.StatePowerLevels.Type, event.StateCreate.Type}, Members: []string{}})
	if err != nil {
		r.fail(fmt.Errorf("read power levels of %s: %w", r.id, err))
		return
	}
	var create gjson.Result
	var creator id.UserID
	for _, row := range rows {
		switch row.Type {
		case event.StatePowerLevels.Type:
			r.pl = gjson.GetBytes(row.Pdu, "content")
		case event.StateCreate.Type:
			create, creator = gjson.GetBytes(row.Pdu, "content"), id.UserID(row.Sender)
		}
	}
	if r.version.PrivilegedRoomCreators() {
		r.creators[creator] = true
		create.Get("additional_creators").ForEach(func(_, u gjson.Result) bool {
			r.creators[id.UserID(u.Str)] = true
			return true
		})
		return
	}
	if !r.pl.Exists() && creator != "" {
		// No power levels yet: the creator has 100 (v1.19 room versions
		// before 12, auth rules).
		r.pl = gjson.Parse(fmt.Sprintf(`{"users":{%q:100}}`, creator))
	}
}

// DisplayName implements Room: the member's display name in the room.
func (r *roomState) DisplayName(user id.UserID) string {
	if name, ok := r.names[user]; ok {
		return name
	}
	r.loadNames([]id.UserID{user})
	return r.names[user]
}

func (r *roomState) loadNames(users []id.UserID) {
	keys := make([]string, len(users))
	for i, u := range users {
		keys[i] = string(u)
		r.names[u] = ""
	}
	rows, err := r.s.q.PushRoomState(r.ctx, r.q, db.PushRoomStateParams{RoomNid: r.nid, Types: []string{}, Members: keys})
	if err != nil {
		r.fail(fmt.Errorf("read members of %s: %w", r.id, err))
		return
	}
	for _, row := range rows {
		if gjson.GetBytes(row.Pdu, "content.membership").Str == "join" {
			r.names[id.UserID(row.StateKey)] = gjson.GetBytes(row.Pdu, "content.displayname").Str
		}
	}
}
