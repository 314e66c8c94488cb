// Package accountdata holds what users keep on the server for their own
// clients: global account data, per-room account data, and room tags (the
// room's m.tag account data). Content is stored as the exact bytes the
// client sent, and each change takes a stream position so that /sync
// delivers it once, to the user's clients alone.
//
// The client API adapter calls it for the account data and tag endpoints;
// impl/syncer reads it as its AccountData provider; impl/ephemeral writes
// the read marker (m.fully_read) through SetRoomTx, in its own transaction.
package accountdata
