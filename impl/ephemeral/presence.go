package ephemeral

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/stream"
)

// Presence states (v1.19 client-server, Presence).
const (
	Online      = "online"
	Unavailable = "unavailable"
	Offline     = "offline"
)

const (
	// touchEvery is how often at most this process writes a user's /sync
	// and activity times when nothing else changes: the times are used in
	// minutes (idle, offline, currently_active), and a busy user should not
	// cost a write per request.
	touchEvery = 30 * time.Second
	// activeWindow is how recent an activity makes an online user
	// currently_active (Synapse: LAST_ACTIVE_GRANULARITY).
	activeWindow = time.Minute
)

// Status is a user's presence as GET /presence answers it.
type Status struct {
	Presence        string
	StatusMsg       *string
	LastActiveAgo   *time.Duration
	CurrentlyActive *bool
}

// presenceRow is a user's stored presence.
type presenceRow struct {
	state      string
	statusMsg  *string
	lastActive time.Time
	lastSync   time.Time
}

// touchKey names a kind of presence write this process made for a user:
// kindActive, or the state a /sync asked for.
type touchKey struct {
	user id.UserID
	kind string
}

const kindActive = "active"

// PutPresence sets user's presence (PUT /presence/{userId}/status): the
// state, and the status message (nil clears it). Setting online counts as
// activity. Everyone sharing a room with the user is told, unless presence
// is disabled.
func (s *Service) PutPresence(ctx context.Context, user id.UserID, state string, statusMsg *string) error {
	if !validState(state) {
		return mxerr.New(mxerr.InvalidParam, "unknown presence %q", state)
	}
	now := s.now()
	s.forget(user)
	return s.updatePresence(ctx, user, func(cur *presenceRow) bool {
		cur.state, cur.statusMsg = state, statusMsg
		if state == Online {
			cur.lastActive = now
		}
		return true
	})
}

// SetPresence records the set_presence of a /sync (impl/syncer's Ephemeral
// provider). Online (or "", the default) keeps the user online: an
// offline user comes online, an idle one stays unavailable until they do
// something. Unavailable makes them unavailable. Offline changes nothing.
// Each process writes this for a user at most every 30 seconds.
func (s *Service) SetPresence(ctx context.Context, user id.UserID, presence string) error {
	if !s.presence.Enabled {
		return nil
	}
	switch presence {
	case "":
		presence = Online
	case Online, Unavailable:
	default:
		return nil // offline: the client does not want to be seen
	}
	if s.recent(user, presence) {
		return nil
	}
	now := s.now()
	return s.forgetOnError(user, s.updatePresence(ctx, user, func(cur *presenceRow) bool {
		cur.lastSync = now
		switch {
		case presence == Online && cur.state == Offline:
			cur.state, cur.lastActive = Online, now
			return true
		case presence == Unavailable && cur.state != Unavailable:
			cur.state = Unavailable
			return true
		}
		return false
	}))
}

// Active records that user did something (sent a message or a receipt,
// typed): an unavailable user comes back online. An offline user stays
// offline: they chose not to be seen. Each process writes this for a user
// at most every 30 seconds. It comes after what the user did, which does
// not fail for it: a failure is logged.
func (s *Service) Active(ctx context.Context, user id.UserID) {
	if err := s.active(ctx, user); err != nil && ctx.Err() == nil {
		s.log.WarnContext(ctx, "presence activity not recorded", "user", user, "err", err)
	}
}

func (s *Service) active(ctx context.Context, user id.UserID) error {
	if !s.presence.Enabled || s.recent(user, kindActive) {
		return nil
	}
	now := s.now()
	return s.forgetOnError(user, s.updatePresence(ctx, user, func(cur *presenceRow) bool {
		cur.lastActive = now
		if cur.state == Unavailable {
			cur.state = Online
			return true
		}
		return false
	}))
}

// recent tells whether this process wrote the same kind of presence update
// for user lately, and notes this one when not.
func (s *Service) recent(user id.UserID, kind string) bool {
	now := s.now()
	s.touchMu.Lock()
	defer s.touchMu.Unlock()
	k := touchKey{user, kind}
	if at, ok := s.touched[k]; ok && now.Sub(at) < s.touchInterval() {
		return true
	}
	s.touched[k] = now
	return false
}

// forget drops what recent knows of user, after an explicit change.
func (s *Service) forget(user id.UserID) {
	s.touchMu.Lock()
	defer s.touchMu.Unlock()
	for _, kind := range []string{kindActive, Online, Unavailable} {
		delete(s.touched, touchKey{user, kind})
	}
}

// forgetOnError forgets user's notes when their write failed, so that the
// next request tries again.
func (s *Service) forgetOnError(user id.UserID, err error) error {
	if err != nil {
		s.forget(user)
	}
	return err
}

// pruneTouched drops notes too old to matter, so the map does not grow
// with every user ever seen.
func (s *Service) pruneTouched(now time.Time) {
	s.touchMu.Lock()
	defer s.touchMu.Unlock()
	for k, at := range s.touched {
		if now.Sub(at) >= s.touchInterval() {
			delete(s.touched, k)
		}
	}
}

// touchInterval is touchEvery, shorter when the idle or offline delays are
// short enough for it to matter.
func (s *Service) touchInterval() time.Duration {
	d := touchEvery
	for _, after := range []time.Duration{s.presence.IdleAfter, s.presence.OfflineAfter} {
		if after > 0 {
			d = min(d, after/4)
		}
	}
	return d
}

// updatePresence changes user's presence with change, which reports
// whether others should be told (then the change takes a stream position
// and wakes the members of the user's rooms). The row is locked before the
// stream barrier is taken, as the sweeper does.
func (s *Service) updatePresence(ctx context.Context, user id.UserID, change func(*presenceRow) bool) error {
	now := s.now()
	return pg.InPipelineTx(ctx, s.pool, func(q *pg.Pipeline) error {
		if err := s.q.PresenceEnsure(ctx, q, db.PresenceEnsureParams{UserID: user, Now: now}); err != nil {
			return fmt.Errorf("create presence of %s: %w", user, err)
		}
		row, err := s.q.PresenceLock(ctx, q, user)
		if err != nil {
			return fmt.Errorf("lock presence of %s: %w", user, err)
		}
		cur := presenceRow{state: row.State, statusMsg: row.StatusMsg, lastActive: row.LastActiveAt, lastSync: row.LastSyncAt}
		visible := change(&cur) && s.presence.Enabled
		var due *time.Time
		if s.presence.Enabled {
			due = s.dueAt(cur)
		}
		if !visible {
			err := s.q.PresenceWrite(ctx, q, db.PresenceWriteParams{UserID: user, State: cur.state, StatusMsg: cur.statusMsg,
				LastActiveAt: cur.lastActive, LastSyncAt: cur.lastSync, DueAt: due})
			if err != nil {
				return fmt.Errorf("store presence of %s: %w", user, err)
			}
			return nil
		}
		if err := stream.AdvanceTx(ctx, q); err != nil {
			return err
		}
		err = s.q.PresenceWriteVisible(ctx, q, db.PresenceWriteVisibleParams{UserID: user, State: cur.state, StatusMsg: cur.statusMsg,
			LastActiveAt: cur.lastActive, LastSyncAt: cur.lastSync, DueAt: due})
		if err != nil {
			return fmt.Errorf("store presence of %s: %w", user, err)
		}
		rooms := make([]id.RoomID, len(row.Rooms))
		for i, r := range row.Rooms {
			rooms[i] = id.RoomID(r)
		}
		return notifyRoomsTx(ctx, q, rooms, []id.UserID{user})
	})
}

// decay is the state r falls to by now: offline once neither active nor
// syncing for OfflineAfter, unavailable once online and inactive for
// IdleAfter.
func (s *Service) decay(r presenceRow, now time.Time) string {
	c := s.presence
	if r.state != Offline && c.OfflineAfter > 0 && !now.Before(latest(r.lastActive, r.lastSync).Add(c.OfflineAfter)) {
		return Offline
	}
	if r.state == Online && c.IdleAfter > 0 && !now.Before(r.lastActive.Add(c.IdleAfter)) {
		return Unavailable
	}
	return r.state
}

// dueAt is when r next decays, nil for never.
func (s *Service) dueAt(r presenceRow) *time.Time {
	c := s.presence
	var due *time.Time
	earlier := func(t time.Time) {
		if due == nil || t.Before(*due) {
			due = &t
		}
	}
	if r.state != Offline && c.OfflineAfter > 0 {
		earlier(latest(r.lastActive, r.lastSync).Add(c.OfflineAfter))
	}
	if r.state == Online && c.IdleAfter > 0 {
		earlier(r.lastActive.Add(c.IdleAfter))
	}
	return due
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// sweepPresence makes the users due by now idle or offline and tells the
// members of their rooms. It costs one indexed read when nobody is due.
// Processes sweeping at once share the work: each locks the due users no
// other sweep holds.
func (s *Service) sweepPresence(ctx context.Context) error {
	now := s.now()
	s.pruneTouched(now)
	due, err := s.q.PresenceDueAny(ctx, s.pool, now)
	if err != nil {
		return fmt.Errorf("look for idle users: %w", err)
	}
	if !due {
		return nil
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := s.q.PresenceDueLock(ctx, tx, now)
		if err != nil {
			return fmt.Errorf("lock idle users: %w", err)
		}
		var changed, stay db.PresenceSweepStatesParams
		var users []id.UserID
		for _, r := range rows {
			cur := presenceRow{state: r.State, lastActive: r.LastActiveAt, lastSync: r.LastSyncAt}
			next := cur
			next.state = s.decay(cur, now)
			dueAt := time.Unix(0, 0) // never
			if d := s.dueAt(next); d != nil {
				dueAt = *d
			}
			if next.state == cur.state {
				// Due no longer (the configuration changed): look again later.
				stay.UserIds, stay.Dues = append(stay.UserIds, string(r.UserID)), append(stay.Dues, dueAt)
				continue
			}
			changed.UserIds, changed.States, changed.Dues = append(changed.UserIds, string(r.UserID)), append(changed.States, next.state), append(changed.Dues, dueAt)
			users = append(users, r.UserID)
		}
		if len(stay.UserIds) > 0 {
			if err := s.q.PresenceSweepDues(ctx, tx, db.PresenceSweepDuesParams{UserIds: stay.UserIds, Dues: stay.Dues}); err != nil {
				return fmt.Errorf("reschedule presence: %w", err)
			}
		}
		if len(users) == 0 {
			return nil
		}
		if err := stream.AdvanceTx(ctx, tx); err != nil {
			return err
		}
		if err := s.q.PresenceSweepStates(ctx, tx, changed); err != nil {
			return fmt.Errorf("store idle presence: %w", err)
		}
		roomIDs, err := s.q.PresenceRoomsOfUsers(ctx, tx, changed.UserIds)
		if err != nil {
			return fmt.Errorf("read rooms of idle users: %w", err)
		}
		rooms := make([]id.RoomID, len(roomIDs))
		for i, r := range roomIDs {
			rooms[i] = id.RoomID(r)
		}
		return notifyRoomsTx(ctx, tx, rooms, users)
	})
}

// GetPresence returns target's presence as viewer may see it: their own,
// or that of a user they share a joined room with (else M_FORBIDDEN, as
// Synapse answers). An unknown user is M_NOT_FOUND; a known one who never
// set any presence is offline.
func (s *Service) GetPresence(ctx context.Context, viewer, target id.UserID) (Status, error) {
	row, err := s.q.PresenceGet(ctx, s.pool, target)
	found := err == nil
	if err != nil && !pg.IsNoRows(err) {
		return Status{}, fmt.Errorf("read presence of %s: %w", target, err)
	}
	if !found {
		exists := false
		if target.Homeserver() == s.serverName {
			if exists, err = s.users.Exists(ctx, target); err != nil {
				return Status{}, err
			}
		}
		if !exists {
			return Status{}, mxerr.New(mxerr.NotFound, "no presence for %s", target)
		}
	}
	if viewer != target {
		shared, err := s.q.PresenceShareRoom(ctx, s.pool, db.PresenceShareRoomParams{UserID: viewer, Other: string(target)})
		if err != nil {
			return Status{}, fmt.Errorf("check rooms shared with %s: %w", target, err)
		}
		if !shared {
			return Status{}, mxerr.New(mxerr.Forbidden, "you are not allowed to see their presence")
		}
	}
	if !found {
		return Status{Presence: Offline}, nil
	}
	return s.status(row.State, row.StatusMsg, row.LastActiveAt), nil
}

// status is a stored presence as clients see it, now.
func (s *Service) status(state string, msg *string, lastActive time.Time) Status {
	ago := max(s.now().Sub(lastActive), 0)
	active := state == Online && ago < activeWindow
	return Status{Presence: state, StatusMsg: msg, LastActiveAgo: &ago, CurrentlyActive: &active}
}

// Presence returns the m.presence events of user and of the users sharing
// a joined room with them whose presence changed in (since, upto]; with
// since zero, everyone's current presence but that of users offline with
// nothing to say. Nothing when presence is disabled.
func (s *Service) Presence(ctx context.Context, user id.UserID, since, upto stream.Pos) ([]json.RawMessage, error) {
	if !s.presence.Enabled {
		return nil, nil
	}
	type row struct {
		user  id.UserID
		state string
		msg   *string
		last  time.Time
	}
	var rows []row
	if since == 0 {
		got, err := s.q.PresenceOfContacts(ctx, s.pool, db.PresenceOfContactsParams{UserID: user, Upto: int64(upto)})
		if err != nil {
			return nil, fmt.Errorf("read presence for %s: %w", user, err)
		}
		for _, r := range got {
			rows = append(rows, row{r.UserID, r.State, r.StatusMsg, r.LastActiveAt})
		}
	} else {
		got, err := s.q.PresenceSince(ctx, s.pool, db.PresenceSinceParams{UserID: user, Since: int64(since), Upto: int64(upto)})
		if err != nil {
			return nil, fmt.Errorf("read presence changes for %s: %w", user, err)
		}
		for _, r := range got {
			rows = append(rows, row{r.UserID, r.State, r.StatusMsg, r.LastActiveAt})
		}
	}
	out := make([]json.RawMessage, 0, len(rows))
	for _, r := range rows {
		ev, err := json.Marshal(presenceEvent{Type: "m.presence", Sender: r.user, Content: s.status(r.state, r.msg, r.last).content()})
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

type presenceEvent struct {
	Type    string          `json:"type"`
	Sender  id.UserID       `json:"sender"`
	Content presenceContent `json:"content"`
}

type presenceContent struct {
	Presence        string  `json:"presence"`
	StatusMsg       *string `json:"status_msg,omitempty"`
	LastActiveAgo   *int64  `json:"last_active_ago,omitempty"`
	CurrentlyActive *bool   `json:"currently_active,omitempty"`
}

func (st Status) content() presenceContent {
	c := presenceContent{Presence: st.Presence, StatusMsg: st.StatusMsg, CurrentlyActive: st.CurrentlyActive}
	if st.LastActiveAgo != nil {
		ms := st.LastActiveAgo.Milliseconds()
		c.LastActiveAgo = &ms
	}
	return c
}

func validState(s string) bool { return s == Online || s == Unavailable || s == Offline }
