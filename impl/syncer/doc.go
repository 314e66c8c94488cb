// Package syncer answers /sync: it reads the one stream between the
// client's token and the newest safe position (impl/stream), shapes rooms'
// timelines, state, summaries and ephemeral data, global account data and
// presence by the client's filter, and long-polls on the stream notifier
// when there is nothing new. The client API adapter calls it; sliding sync
// builds on the same reads.
//
// A token is a stream position ("s<pos>"): everything at or before it was
// sent, nothing after it was.
package syncer
