package state

import (
	"container/list"
	"sync"
)

// snapshotCache keeps recently read snapshots, bounded by the total number
// of entries they hold (a big room's snapshot counts for more).
type snapshotCache struct {
	mu      sync.Mutex
	budget  int
	used    int
	order   *list.List // front: most recent
	entries map[SnapshotNID]*list.Element
}

type cached struct {
	nid SnapshotNID
	e   Entries
}

func newSnapshotCache(budget int) *snapshotCache {
	return &snapshotCache{budget: budget, order: list.New(), entries: map[SnapshotNID]*list.Element{}}
}

func (c *snapshotCache) get(nid SnapshotNID) (Entries, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[nid]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cached).e, true
}

func (c *snapshotCache) put(nid SnapshotNID, e Entries) {
	cost := len(e) + 1
	if cost > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[nid]; ok {
		return
	}
	c.entries[nid] = c.order.PushFront(&cached{nid: nid, e: e})
	c.used += cost
	for c.used > c.budget {
		last := c.order.Back()
		v := last.Value.(*cached)
		c.order.Remove(last)
		delete(c.entries, v.nid)
		c.used -= len(v.e) + 1
	}
}
