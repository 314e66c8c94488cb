package testutil

import (
	"sync"
	"time"
)

// Clock is a clock tests move by hand. The zero value is not usable; use
// NewClock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at the real current time.
func NewClock() *Clock { return &Clock{now: time.Now()} }

// Now returns the clock's time; pass it where code takes a Now func.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
