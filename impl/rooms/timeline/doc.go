// Package timeline holds the reads of room history: who may see which
// event (history visibility), events in their client form with what
// depends on the reader (transaction IDs, previous content, the redaction
// that applied), and pagination, context and relations. It reads what
// impl/rooms writes and never writes itself.
package timeline
