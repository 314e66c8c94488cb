package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// pollInterval bounds how stale the safe position gets when notifications
// are lost (a dropped LISTEN connection).
const pollInterval = 10 * time.Second

// recentChanges is how many of the latest changes a notifier remembers for
// waiters that arrive after them: a sync reads up to a position, computes,
// then waits, and a change that committed in between must still wake it.
const recentChanges = 4096

// Notifier follows the stream for one process: it listens for changes,
// keeps the newest safe position, and wakes waiters. Run must be running
// for waiters to be woken.
type Notifier struct {
	pool *pgxpool.Pool
	log  *slog.Logger

	mu      sync.Mutex
	safe    Pos
	waiters map[*waiter]struct{}
	// recent are the latest changes received, a ring of recentChanges;
	// next is where the next one goes.
	recent []Change
	next   int
	// ready is closed once Run has computed the first safe position.
	ready chan struct{}
}

type waiter struct {
	after Pos
	match func(Change) bool
	wake  chan Pos
}

// NewNotifier returns a notifier over pool; start it with Run.
func NewNotifier(pool *pgxpool.Pool, log *slog.Logger) *Notifier {
	return &Notifier{pool: pool, log: log, waiters: map[*waiter]struct{}{}, ready: make(chan struct{})}
}

// Refresh computes the newest safe position now: every position up to it
// belongs to a finished transaction. It waits for writers in flight.
func (n *Notifier) Refresh(ctx context.Context) (Pos, error) {
	last, err := queries.StreamLastIssued(ctx, n.pool)
	if err != nil {
		return 0, fmt.Errorf("read last stream position: %w", err)
	}
	if err := queries.StreamBarrier(ctx, n.pool); err != nil {
		return 0, fmt.Errorf("wait for stream writers: %w", err)
	}
	n.advance(Pos(last), nil)
	return Pos(last), nil
}

// Safe returns a safe position this process knows of: every position up
// to it is final, but newer ones may be too (it is refreshed only when
// waiters need it). Use Refresh for the newest.
func (n *Notifier) Safe() Pos {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.safe
}

// Wait blocks until a change that match accepts commits at a position after
// after, and returns the safe position then; or returns the safe position
// when ctx ends (with ctx's error). match runs on the notifier's goroutine
// and must be quick.
func (n *Notifier) Wait(ctx context.Context, after Pos, match func(Change) bool) (Pos, error) {
	w := &waiter{after: after, match: match, wake: make(chan Pos, 1)}
	n.mu.Lock()
	missed := n.missed(after, match)
	if !missed {
		n.waiters[w] = struct{}{}
	}
	n.mu.Unlock()
	if missed {
		// The change came before the waiter: it is committed, so the
		// newest safe position covers it.
		return n.Refresh(ctx)
	}
	defer func() {
		n.mu.Lock()
		delete(n.waiters, w)
		n.mu.Unlock()
	}()
	select {
	case p := <-w.wake:
		return p, nil
	case <-ctx.Done():
		return n.Safe(), ctx.Err()
	}
}

// missed tells whether a change match accepts arrived after after, before
// its waiter registered. n.mu must be held.
func (n *Notifier) missed(after Pos, match func(Change) bool) bool {
	for _, c := range n.recent {
		if c.Pos > after && match(c) {
			return true
		}
	}
	return false
}

// remember keeps changes for the waiters that register after them.
func (n *Notifier) remember(changes []Change) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, c := range changes {
		if len(n.recent) < recentChanges {
			n.recent = append(n.recent, c)
			continue
		}
		n.recent[n.next] = c
		n.next = (n.next + 1) % recentChanges
	}
}

// interested tells whether a waiter wants any of changes.
func (n *Notifier) interested(changes []Change) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for w := range n.waiters {
		for _, c := range changes {
			if c.Pos > w.after && w.match(c) {
				return true
			}
		}
	}
	return false
}

// advance records a new safe position and wakes the waiters that changes
// concern.
func (n *Notifier) advance(safe Pos, changes []Change) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if safe > n.safe {
		n.safe = safe
	}
	for w := range n.waiters {
		for _, c := range changes {
			if c.Pos > w.after && c.Pos <= safe && w.match(c) {
				select {
				case w.wake <- safe:
				default:
				}
				delete(n.waiters, w)
				break
			}
		}
	}
}

// Run listens for changes until ctx ends, reconnecting after errors. It
// returns nil when ctx ends.
func (n *Notifier) Run(ctx context.Context) error {
	for {
		err := n.listen(ctx)
		if ctx.Err() != nil {
			return nil
		}
		n.log.WarnContext(ctx, "stream listener failed; reconnecting", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

// Ready returns a channel closed once Run has its first safe position.
func (n *Notifier) Ready() <-chan struct{} { return n.ready }

func (n *Notifier) listen(ctx context.Context) error {
	pc, err := n.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The LISTEN connection is ours for good; it never goes back to the pool.
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		return err
	}
	// Changes committed before LISTEN took effect are covered by this.
	if _, err := n.Refresh(ctx); err != nil {
		return err
	}
	select {
	case <-n.ready:
	default:
		close(n.ready)
	}
	for {
		wait, cancel := context.WithTimeout(ctx, pollInterval)
		note, err := conn.WaitForNotification(wait)
		cancel()
		var changes []Change
		switch {
		case err == nil:
			changes = append(changes, n.decode(ctx, note.Payload))
			// Take whatever else already arrived, so that one barrier
			// serves them all.
			for {
				drain, cancel := context.WithTimeout(ctx, time.Millisecond)
				more, err := conn.WaitForNotification(drain)
				cancel()
				if err != nil {
					break
				}
				changes = append(changes, n.decode(ctx, more.Payload))
			}
			n.remember(changes)
			if !n.interested(changes) {
				// Nobody waits for these: skip the barrier, which costs
				// writers a moment. Safe lags until the next refresh.
				continue
			}
		case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
			// Quiet for a while: refresh anyway, in case a notification
			// was lost.
		default:
			return err
		}
		safe, err := n.Refresh(ctx)
		if err != nil {
			return err
		}
		n.advance(safe, changes)
	}
}

func (n *Notifier) decode(ctx context.Context, payload string) Change {
	var c Change
	if err := json.Unmarshal([]byte(payload), &c); err != nil {
		n.log.ErrorContext(ctx, "undecodable stream change", "err", err)
	}
	return c
}
