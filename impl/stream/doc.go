// Package stream holds hearth's one stream of positions and the wake-ups
// that follow it. Every change a client syncs (an event, a membership, a
// receipt, typing, account data, presence, a to-device message, a device
// list change) takes the next position from one PostgreSQL sequence, so a
// sync token is a single position and stays valid across restarts and
// across hearth processes sharing the database.
//
// Positions are handed out before commit, so transactions may commit out
// of position order. A reader must not read past a position whose
// transaction is still open, or it would skip that transaction's rows
// forever. Writers therefore take a shared advisory lock (the barrier)
// before taking a position and hold it until commit; a reader that wants
// the newest safe position reads the last issued position, then takes the
// barrier in exclusive mode for an instant, which waits out every writer
// that might hold an earlier position (Notifier.Refresh).
//
// Writers announce their change with NotifyTx; PostgreSQL delivers it after
// commit to every process's Notifier, which computes the new safe position
// and wakes the waiters the change concerns.
package stream
