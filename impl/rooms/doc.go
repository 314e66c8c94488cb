// Package rooms is the room engine's one write path: creating rooms,
// sending events, membership changes and redactions all end in appendTx,
// which, in one transaction under the room's advisory lock, authorises the
// event against the room's current state, takes its stream position,
// stores the event, its state delta, the room's new current state and
// memberships, and announces the change once committed. It also answers
// the simple reads around it (state, members, joined rooms).
//
// Subpackages hold what the write path is made of: lock (the advisory
// lock), events (PDUs, stored events, client form), state (snapshots).
package rooms
