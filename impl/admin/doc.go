// Package admin holds the operations behind hearth's admin APIs: the
// Synapse-compatible /_synapse/admin endpoints and the client-server spec's
// own admin endpoints (whois, suspension, locking), all adapted by
// impl/adminapi and impl/clientapi. Each operation takes the caller and
// refuses anyone but a server admin (the HTTP server refuses them first),
// records what it changed in the audit log, and calls the domain package
// that owns the data for every write: accounts, rooms, media, reports.
//
// It owns the admin tables (queries/admin.sql): the audit log, blocked
// rooms (the rooms.JoinGuard the room engine asks on every join), room
// deletions (run as jobs, with Synapse's delete status), the rooms of
// server notices; and the read-only listings the admin API shows across
// other domains' tables (users, rooms, the server overview).
package admin
