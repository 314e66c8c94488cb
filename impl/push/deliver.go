package push

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/stream"
)

// How often a process that does not deliver checks whether it should, and
// how long delivery waits for news before looking anyway (a lost
// notification costs at most this much delay).
// Woken by news, delivery lets batchWindow pass before it reads, so that
// a burst of events (a busy room) is read and enqueued in one batch rather
// than one transaction each, and writers are not slowed by delivery
// following every event.
const (
	leaderRetry = 5 * time.Second
	idleLook    = 10 * time.Second
	batchWindow = 50 * time.Millisecond
)

var errNotLeader = errors.New("another process delivers notifications")

// Run delivers notifications until ctx ends. One hearth process among
// those sharing the database delivers: the one holding a PostgreSQL session
// advisory lock on a connection of its own; the others wait for it to go.
// Delivery reads the events after a durable cursor, in batches, and
// enqueues their notifications in the transaction that moves the cursor,
// on that same connection: a process that lost its connection (and with it
// the lock) cannot commit, and nothing is lost or sent twice across a
// restart. Run returns nil when ctx ends, at once when Config.Deliver is
// off.
func (s *Service) Run(ctx context.Context) error {
	if !s.cfg.Deliver {
		return nil
	}
	for {
		err := s.deliver(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if !errors.Is(err, errNotLeader) {
			s.log.WarnContext(ctx, "push delivery stopped; starting again", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(leaderRetry):
		}
	}
}

// deliver takes the delivery lock and follows the stream until an error.
func (s *Service) deliver(ctx context.Context) error {
	// Changes committed before the notifier listens wake nobody: start
	// reading once it does, so that every later change wakes delivery.
	select {
	case <-s.positions.Ready():
	case <-ctx.Done():
		return ctx.Err()
	}
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	leader, err := s.q.PushDeliveryLock(ctx, pc)
	if err != nil {
		pc.Release()
		return fmt.Errorf("take push delivery lock: %w", err)
	}
	if !leader {
		pc.Release()
		return errNotLeader
	}
	// The connection holds the session lock: it never goes back to the
	// pool, and closing it releases the lock.
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	upto, err := s.positions.Refresh(ctx)
	if err != nil {
		return err
	}
	// The first start delivers from now on: history is not news.
	if err := s.q.PushCursorInit(ctx, conn, int64(upto)); err != nil {
		return fmt.Errorf("start push cursor: %w", err)
	}
	stored, err := s.q.PushCursorGet(ctx, conn)
	if err != nil {
		return fmt.Errorf("read push cursor: %w", err)
	}
	c := &cursor{stored: stream.Pos(stored), read: stream.Pos(stored)}
	for {
		for c.read < upto {
			if err := s.deliverBatch(ctx, conn, c, upto); err != nil {
				return err
			}
		}
		wait, cancel := context.WithTimeout(ctx, idleLook)
		next, err := s.positions.Wait(wait, upto, func(c stream.Change) bool { return c.Room != "" })
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(batchWindow):
			}
		}
		if next, err = s.positions.Refresh(ctx); err != nil {
			return err
		}
		upto = max(upto, next)
	}
}

// cursor is how far delivery has read (read) and how far the database
// says it has (stored): a stretch of the stream without events moves read
// only, and the next batch with events stores both.
type cursor struct {
	stored, read stream.Pos
}

// deliverBatch enqueues the notifications of up to Config.DeliveryBatch
// events in (c.read, upto] and moves the stored cursor past them, in one
// transaction.
func (s *Service) deliverBatch(ctx context.Context, conn *pgx.Conn, c *cursor, upto stream.Pos) error {
	evs, err := s.q.PushEventsAfter(ctx, conn, db.PushEventsAfterParams{After: int64(c.read), Upto: int64(upto), Lim: int32(s.cfg.DeliveryBatch)})
	if err != nil {
		return fmt.Errorf("read events to push: %w", err)
	}
	next := upto
	if len(evs) == s.cfg.DeliveryBatch {
		next = stream.Pos(*evs[len(evs)-1].StreamPos)
	}
	if len(evs) == 0 {
		// Receipts, typing and the like: nothing to store; reading the
		// stretch again after a restart costs one empty query.
		c.read = next
		return nil
	}
	var jobs []river.InsertManyParams
	for _, e := range evs {
		more, err := s.notificationsOf(ctx, conn, e)
		if err != nil {
			return err
		}
		jobs = append(jobs, more...)
	}
	err = pg.InTx(ctx, conn, func(tx pgx.Tx) error {
		moved, err := s.q.PushCursorMove(ctx, tx, db.PushCursorMoveParams{Next: int64(next), Prev: int64(c.stored)})
		if err != nil {
			return fmt.Errorf("move push cursor: %w", err)
		}
		if moved != 1 {
			return errors.New("the push cursor moved under this process")
		}
		return s.jobs.InsertManyTx(ctx, tx, jobs)
	})
	if err != nil {
		return err
	}
	c.stored, c.read = next, next
	return nil
}

// notificationsOf evaluates an event for the local users with pushers it
// may concern (the room's joined members but the sender, and a local
// invitee) and returns a job per pusher of each user it notifies.
func (s *Service) notificationsOf(ctx context.Context, q db.DBTX, e db.PushEventsAfterRow) ([]river.InsertManyParams, error) {
	if e.StreamPos == nil {
		return nil, nil
	}
	pdu := gjson.ParseBytes(e.Pdu)
	invitee := ""
	if pdu.Get("type").Str == event.StateMember.Type && pdu.Get("content.membership").Str == string(event.MembershipInvite) &&
		s.isLocal(id.UserID(pdu.Get("state_key").Str)) {
		invitee = pdu.Get("state_key").Str
	}
	recipients, err := s.q.PushRecipients(ctx, q, db.PushRecipientsParams{RoomNid: e.RoomNid, Sender: e.Sender, Pos: *e.StreamPos, Invitee: invitee})
	if err != nil {
		return nil, fmt.Errorf("read pushers for %s: %w", e.EventID, err)
	}
	if len(recipients) == 0 {
		return nil, nil
	}
	var users []id.UserID
	for i, r := range recipients {
		if i == 0 || recipients[i-1].UserID != r.UserID {
			users = append(users, r.UserID)
		}
	}
	evaluators, err := s.evaluators(ctx, q, users)
	if err != nil {
		return nil, err
	}
	room := s.newRoomState(ctx, q, e.RoomNid, id.RoomID(e.RoomID), id.RoomVersion(e.RoomVersion))
	var named []id.UserID
	for _, u := range users {
		if evaluators[u].UsesDisplayName() {
			named = append(named, u)
		}
	}
	if len(named) > 0 {
		room.loadNames(named)
	}
	pe := NewEvent(id.EventID(e.EventID), id.RoomID(e.RoomID), e.Pdu)
	view := room.forEvent(id.UserID(e.Sender))
	outcomes := make(map[id.UserID]Outcome, len(users))
	for _, u := range users {
		outcomes[u] = evaluators[u].Evaluate(pe, view)
	}
	if room.err != nil {
		return nil, room.err
	}
	var jobs []river.InsertManyParams
	for _, r := range recipients {
		o := outcomes[r.UserID]
		if !o.Notify {
			continue
		}
		jobs = append(jobs, river.InsertManyParams{
			Args: notifyArgs{User: r.UserID, AppID: r.AppID, Pushkey: r.Pushkey, Event: pe.ID, Room: pe.RoomID,
				Prio: priority(pe, o), Tweaks: o.Tweaks()},
			InsertOpts: &river.InsertOpts{Queue: QueueName, MaxAttempts: s.cfg.MaxAttempts},
		})
	}
	return jobs, nil
}

// priority is high for what should alert at once: highlights and whatever
// plays a sound (by default mentions, one-to-one messages, invites and
// calls), and encrypted events, whose content the server cannot judge;
// low otherwise, so that gateways may save the device's battery.
func priority(e *Event, o Outcome) string {
	if o.Highlight || e.Type == event.EventEncrypted.Type {
		return "high"
	}
	for _, a := range o.Actions {
		if a.Tweak == "sound" {
			return "high"
		}
	}
	return "low"
}
