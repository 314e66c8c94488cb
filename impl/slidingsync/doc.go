// Package slidingsync answers Simplified Sliding Sync (MSC4186), the sync
// Element X needs: the client names lists of rooms (filtered, sorted by
// activity, cut to ranges) and rooms it subscribes to, each with a room
// config (timeline length, state wanted), and gets for each room only what
// changed since the connection last sent it, plus extensions (to-device,
// end-to-end keys, account data, receipts, typing).
//
// Connections are kept in PostgreSQL (sliding_conns, sliding_rooms,
// sliding_positions), so a pos stays valid across restarts and processes.
// A response's pos is confirmed when the client sends it back; until then
// the client may retry with the previous pos and gets the same updates
// again. The stream (impl/stream) gives the positions and the wake-ups; the
// reads of rooms are the ones /sync makes (impl/syncer's providers,
// impl/rooms, impl/rooms/timeline).
//
// The API comes in the shapes clients send (see spec/hearth/msc4186.yaml);
// the adapter turns each into a Request and the Response back.
package slidingsync
