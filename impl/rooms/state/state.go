package state

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/lock"
)

// SnapshotNID names a stored snapshot; zero is the empty state.
type SnapshotNID int64

// KeyNID names an interned (type, state_key) pair.
type KeyNID int64

// Key is a state key pair.
type Key struct {
	Type     string
	StateKey string
}

// Entries map state keys to the events holding them. Maps returned by the
// Store are shared: never modify them; Clone first.
type Entries map[KeyNID]events.NID

// Clone returns a copy of e that may be modified.
func (e Entries) Clone() Entries {
	c := make(Entries, len(e)+1)
	for k, v := range e {
		c[k] = v
	}
	return c
}

// maxChain is how many deltas may stack above a full snapshot: reading a
// snapshot reads at most this many rows, and a room writes a full snapshot
// once every maxChain state changes.
const maxChain = 32

var queries = db.New()

// Store reads and writes snapshots. It is safe for concurrent use.
type Store struct {
	pool    *pgxpool.Pool
	keysMu  sync.RWMutex
	keyNIDs map[Key]KeyNID
	keys    map[KeyNID]Key
	snaps   *snapshotCache
}

// NewStore returns a store whose snapshot cache holds about cacheEntries
// state entries in total.
func NewStore(pool *pgxpool.Pool, cacheEntries int) *Store {
	return &Store{pool: pool, keyNIDs: map[Key]KeyNID{}, keys: map[KeyNID]Key{}, snaps: newSnapshotCache(cacheEntries)}
}

// KeyNID interns k. The pair is committed at once on a connection of its
// own, never in a caller's transaction, so that a cached NID never refers
// to a rolled-back row. Call it before opening a transaction: a caller
// holding a pool connection while waiting for another could exhaust the
// pool.
func (s *Store) KeyNID(ctx context.Context, k Key) (KeyNID, error) {
	q := s.pool
	s.keysMu.RLock()
	n, ok := s.keyNIDs[k]
	s.keysMu.RUnlock()
	if ok {
		return n, nil
	}
	raw, err := queries.StateKeyGet(ctx, q, db.StateKeyGetParams{Type: k.Type, StateKey: k.StateKey})
	if errors.Is(err, pgx.ErrNoRows) {
		raw, err = queries.StateKeyInsert(ctx, q, db.StateKeyInsertParams{Type: k.Type, StateKey: k.StateKey})
		if errors.Is(err, pgx.ErrNoRows) { // inserted meanwhile by another writer
			raw, err = queries.StateKeyGet(ctx, q, db.StateKeyGetParams{Type: k.Type, StateKey: k.StateKey})
		}
	}
	if err != nil {
		return 0, fmt.Errorf("intern state key %s/%s: %w", k.Type, k.StateKey, err)
	}
	n = KeyNID(raw)
	s.remember(n, k)
	return n, nil
}

// LookupKeyNID finds k without interning it: a pair never interned is in
// no state. Safe inside any transaction, as it only reads committed rows.
func (s *Store) LookupKeyNID(ctx context.Context, q db.DBTX, k Key) (KeyNID, bool, error) {
	s.keysMu.RLock()
	n, ok := s.keyNIDs[k]
	s.keysMu.RUnlock()
	if ok {
		return n, true, nil
	}
	raw, err := queries.StateKeyGet(ctx, q, db.StateKeyGetParams{Type: k.Type, StateKey: k.StateKey})
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("look up state key %s/%s: %w", k.Type, k.StateKey, err)
	}
	s.remember(KeyNID(raw), k)
	return KeyNID(raw), true, nil
}

func (s *Store) remember(n KeyNID, k Key) {
	s.keysMu.Lock()
	s.keyNIDs[k] = n
	s.keys[n] = k
	s.keysMu.Unlock()
}

// Keys resolves key NIDs to their pairs.
func (s *Store) Keys(ctx context.Context, q db.DBTX, nids []KeyNID) (map[KeyNID]Key, error) {
	out := make(map[KeyNID]Key, len(nids))
	var missing []int64
	s.keysMu.RLock()
	for _, n := range nids {
		if k, ok := s.keys[n]; ok {
			out[n] = k
		} else {
			missing = append(missing, int64(n))
		}
	}
	s.keysMu.RUnlock()
	if len(missing) == 0 {
		return out, nil
	}
	rows, err := queries.StateKeysByNIDs(ctx, q, missing)
	if err != nil {
		return nil, fmt.Errorf("load %d state keys: %w", len(missing), err)
	}
	for _, r := range rows {
		k := Key{Type: r.Type, StateKey: r.StateKey}
		out[KeyNID(r.KeyNid)] = k
		s.remember(KeyNID(r.KeyNid), k)
	}
	return out, nil
}

// Snapshot returns the state of snapshot nid. The map is shared.
func (s *Store) Snapshot(ctx context.Context, q db.DBTX, nid SnapshotNID) (Entries, error) {
	if nid == 0 {
		return Entries{}, nil
	}
	if e, ok := s.snaps.get(nid); ok {
		return e, nil
	}
	chain, err := queries.SnapshotChain(ctx, q, int64(nid))
	if err != nil {
		return nil, fmt.Errorf("load state snapshot %d: %w", nid, err)
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("state snapshot %d does not exist", nid)
	}
	// chain is leaf first; apply from the full snapshot down.
	var e Entries
	for i := len(chain) - 1; i >= 0; i-- {
		if i == len(chain)-1 {
			e = make(Entries, len(chain[i].Entries)/2)
		}
		applyPairs(e, chain[i].Entries)
	}
	s.snaps.put(nid, e)
	return e, nil
}

// AddTx writes snapshot nid (taken beforehand with the room's append
// context) as parent with changes applied (an event NID of zero removes the
// key). parentChainLen is the parent's chain length (-1 without parent).
// The room must be locked.
func (s *Store) AddTx(ctx context.Context, q db.DBTX, _ lock.Held, roomNID int64, nid, parent SnapshotNID, parentChainLen int32, changes Entries) error {
	p := db.SnapshotInsertParams{SnapshotNid: int64(nid), RoomNid: roomNID, ChainLen: parentChainLen + 1, Entries: pairs(changes)}
	if parent == 0 || p.ChainLen >= maxChain {
		base, err := s.Snapshot(ctx, q, parent)
		if err != nil {
			return err
		}
		full := base.Clone()
		applyEntries(full, changes)
		p.ChainLen, p.Entries = 0, pairs(full)
	} else {
		pn := int64(parent)
		p.ParentNid = &pn
	}
	if err := queries.SnapshotInsert(ctx, q, p); err != nil {
		return fmt.Errorf("insert state snapshot: %w", err)
	}
	return nil
}

// pairs flattens entries into sorted (key, event) pairs, the stored form.
func pairs(e Entries) []int64 {
	keys := make([]KeyNID, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]int64, 0, 2*len(keys))
	for _, k := range keys {
		out = append(out, int64(k), int64(e[k]))
	}
	return out
}

func applyPairs(e Entries, flat []int64) {
	for i := 0; i+1 < len(flat); i += 2 {
		if flat[i+1] == 0 {
			delete(e, KeyNID(flat[i]))
		} else {
			e[KeyNID(flat[i])] = events.NID(flat[i+1])
		}
	}
}

func applyEntries(e Entries, changes Entries) {
	for k, v := range changes {
		if v == 0 {
			delete(e, k)
		} else {
			e[k] = v
		}
	}
}
