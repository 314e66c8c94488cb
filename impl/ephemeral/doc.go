// Package ephemeral holds what rooms carry besides their events: typing
// notices, read receipts and read markers, and users' presence. All of it
// lives in PostgreSQL, so that every hearth process sharing the database
// sees the same; each change takes a position in the one stream
// (impl/stream) and wakes the /sync requests it concerns, in any process.
//
// The client API adapter calls it for the typing, receipt, read marker and
// presence endpoints; impl/syncer reads it as its Ephemeral provider (the
// ephemeral section of joined rooms and the presence section). Run sweeps,
// in every process, for typing notices that ran out and for users gone
// idle or offline; sweepers of several processes may race, and each change
// is still made and announced once, as each sweep deletes or locks the
// rows it handles.
//
// Read markers (m.fully_read) are kept with the receipts, so that they
// only move forward as receipts do, and written to the user's room account
// data (impl/accountdata), where clients read them.
package ephemeral
