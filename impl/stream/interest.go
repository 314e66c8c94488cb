package stream

import (
	"context"
	"time"

	"maunium.net/go/mautrix/id"
)

// Interest is what a waiting sync (either kind) wants to be woken for: any
// of the user's rooms, or a change naming the user (invites, to-device
// messages, account data).
type Interest struct {
	User  id.UserID
	Rooms map[id.RoomID]bool
}

// Match tells whether c concerns the interest.
func (in *Interest) Match(c Change) bool {
	if in.Rooms[c.Room] {
		return true
	}
	for _, r := range c.Rooms {
		if in.Rooms[r] {
			return true
		}
	}
	for _, u := range c.Users {
		if u == in.User {
			return true
		}
	}
	return false
}

// WaitUntil waits until a change match accepts commits after after, or
// until deadline, and returns the safe position then (the newest one at
// the deadline). It returns ctx's error when ctx ends first: the client
// went away.
func (n *Notifier) WaitUntil(ctx context.Context, after Pos, deadline time.Time, match func(Change) bool) (Pos, error) {
	waitCtx, cancel := context.WithDeadline(ctx, deadline)
	next, err := n.Wait(waitCtx, after, match)
	cancel()
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	if err != nil {
		return n.Refresh(ctx)
	}
	return next, nil
}
