// Package filter holds the Matrix event filters of the client-server API
// (Filter, RoomFilter, RoomEventFilter, EventFilter): their parsing from a
// client's JSON with the spec's errors, and the matching rules (event type
// wildcards, senders, rooms, contains_url, limits). The history reads
// (/messages, /context in impl/rooms/timeline) and /sync use it; it knows
// nothing of storage or HTTP.
package filter
