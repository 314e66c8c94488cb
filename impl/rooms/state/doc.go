// Package state holds room state as hearth stores it: (type, state_key)
// pairs interned as KeyNIDs, and snapshots of state stored as deltas over a
// parent snapshot, with a full snapshot every so often so that reading one
// never walks far. A message event stores nothing here: it shares its
// room's current snapshot. Snapshots never change once written, so this
// process caches materialised ones freely.
package state
