package ephemeral

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/stream"
)

// DefaultTypingTimeout is how long a typing notice lasts when the client
// gives no timeout.
const DefaultTypingTimeout = 30 * time.Second

// SetTyping starts (typing, for timeout, capped by the configuration) or
// stops user's typing notice in room. The user must be joined to the room
// (M_FORBIDDEN). The room's members are told only when the set of typers
// changes: typing again extends the notice quietly.
func (s *Service) SetTyping(ctx context.Context, user id.UserID, room id.RoomID, typing bool, timeout time.Duration) error {
	if timeout < 0 {
		return mxerr.New(mxerr.InvalidParam, "timeout must not be negative")
	}
	if err := s.joined(ctx, room, user); err != nil {
		return err
	}
	if timeout == 0 {
		timeout = DefaultTypingTimeout
	}
	timeout = min(timeout, s.typing.MaxTimeout)
	now := s.now()
	err := pg.InPipelineTx(ctx, s.pool, func(q *pg.Pipeline) error {
		// The typing row is locked before the stream barrier is taken, as
		// the sweeper does (see stream.AdvanceTx).
		var changed bool
		var err error
		if typing {
			var was bool
			was, err = s.q.TypingStart(ctx, q, db.TypingStartParams{RoomID: string(room), UserID: user, ExpiresAt: now.Add(timeout), Now: now})
			changed = !was
		} else {
			changed, err = s.q.TypingStop(ctx, q, db.TypingStopParams{RoomID: string(room), UserID: user, Now: now})
		}
		if err != nil {
			return fmt.Errorf("set typing of %s in %s: %w", user, room, err)
		}
		if !changed {
			return nil
		}
		return s.typersChangedTx(ctx, q, []id.RoomID{room})
	})
	if err != nil {
		return err
	}
	s.Active(ctx, user)
	return nil
}

// typersChangedTx gives the typers of rooms a new position and tells their
// members.
func (s *Service) typersChangedTx(ctx context.Context, q db.DBTX, rooms []id.RoomID) error {
	if err := stream.AdvanceTx(ctx, q); err != nil {
		return err
	}
	if err := s.q.TypingRoomsTouch(ctx, q, roomStrings(rooms)); err != nil {
		return fmt.Errorf("record typing change: %w", err)
	}
	if len(rooms) == 1 {
		return stream.NotifyCurrentTx(ctx, q, rooms[0], nil)
	}
	return notifyRoomsTx(ctx, q, rooms, nil)
}

// sweepTyping removes the typing notices that ran out and tells their
// rooms. It costs one indexed read when none did. Two processes sweeping
// at once delete each notice once: the second waits for the first's rows
// and finds them gone.
func (s *Service) sweepTyping(ctx context.Context) error {
	now := s.now()
	due, err := s.q.TypingExpiredAny(ctx, s.pool, now)
	if err != nil {
		return fmt.Errorf("look for expired typing: %w", err)
	}
	if !due {
		return nil
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		gone, err := s.q.TypingExpire(ctx, tx, now)
		if err != nil {
			return fmt.Errorf("expire typing: %w", err)
		}
		if len(gone) == 0 {
			return nil
		}
		slices.Sort(gone)
		rooms := make([]id.RoomID, 0, len(gone))
		for _, r := range slices.Compact(gone) {
			rooms = append(rooms, id.RoomID(r))
		}
		return s.typersChangedTx(ctx, tx, rooms)
	})
}

// typingEvents returns the m.typing events of rooms for /sync: the
// current typers of rooms whose typers changed in (since, upto], or of
// every room with typers when since is zero.
func (s *Service) typingEvents(ctx context.Context, rooms []string, since, upto stream.Pos, out map[id.RoomID][]json.RawMessage) error {
	now := s.now()
	typers := map[id.RoomID][]id.UserID{}
	if since == 0 {
		rows, err := s.q.TypingCurrent(ctx, s.pool, db.TypingCurrentParams{RoomIds: rooms, Now: now})
		if err != nil {
			return fmt.Errorf("read typing: %w", err)
		}
		for _, r := range rows {
			typers[id.RoomID(r.RoomID)] = append(typers[id.RoomID(r.RoomID)], r.UserID)
		}
	} else {
		rows, err := s.q.TypingChanged(ctx, s.pool, db.TypingChangedParams{RoomIds: rooms, Now: now, Since: int64(since), Upto: int64(upto)})
		if err != nil {
			return fmt.Errorf("read typing changes: %w", err)
		}
		for _, r := range rows {
			room := id.RoomID(r.RoomID)
			if r.UserID == "" {
				typers[room] = []id.UserID{} // nobody types any more: say so
				continue
			}
			typers[room] = append(typers[room], r.UserID)
		}
	}
	for room, users := range typers {
		ev, err := json.Marshal(typingEvent{Type: "m.typing", Content: typingContent{UserIDs: users}})
		if err != nil {
			return err
		}
		out[room] = append(out[room], ev)
	}
	return nil
}

type typingEvent struct {
	Type    string        `json:"type"`
	Content typingContent `json:"content"`
}

type typingContent struct {
	UserIDs []id.UserID `json:"user_ids"`
}
