// Package push holds push notifications: users' push rules (the v1.19
// server-default rules merged with their own, stored per user and mirrored
// into their m.push_rules account data), the rules' evaluation, unread
// notification counts, the notifications list, pushers, and delivery to
// push gateways.
//
// Nothing here runs on the write path of events. Delivery reads the event
// stream after a durable cursor (one reader among all hearth processes,
// chosen by a PostgreSQL advisory lock), evaluates the rules of the local
// members who have pushers, and enqueues one job per pusher and
// notification in the transaction that moves the cursor; the jobs post to
// the gateways with retries (impl/jobs). Unread counts are computed when a
// sync reads them, from the user's receipts and the events after them, and
// cached per user and room: a message in a room of a thousand members
// writes no count at all.
//
// The client API adapter (impl/clientapi) calls the rules, pushers and
// notifications methods; impl/syncer and impl/slidingsync read counts
// through their Counts provider interface and account data through
// AccountData; impl/app runs delivery and registers the job workers.
package push
