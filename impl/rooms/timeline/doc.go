// Package timeline holds the reads of room history: who may see which
// event (history visibility), events in their client form with what
// depends on the reader (transaction IDs, previous content, the redaction
// that applied, bundled aggregations of relations), and pagination
// (/messages), context, relations, threads and timestamp lookups. It reads
// what impl/rooms writes and never writes itself; the client API and /sync
// call it.
//
// Pages are read along a room's stream positions (the events_room_stream
// index), so a page deep in a long history costs what a page at its end
// does, and pagination tokens are stream position tokens, the same as
// /sync's: "s<pos>" names the point just after the event at pos.
package timeline
