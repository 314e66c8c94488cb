// Package search holds server-side search of room messages (POST /search):
// full-text search over the event_search index (migration 00008), which
// PostgreSQL keeps from the events table as they are stored and redacted,
// so the write path does no work for it. A search looks in the rooms the
// user is joined to, keeps only the events they may see under the rooms'
// history visibility (impl/rooms/timeline), and answers them ranked or
// newest first, page by page, with context, groups and highlights. The
// client API adapter calls it.
package search
