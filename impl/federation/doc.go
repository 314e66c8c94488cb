// Package federation holds what hearth needs to speak to other servers: its
// ed25519 signing key, and (as federation is built) request signing, server
// discovery, the outgoing sender and the inbound transaction handling.
package federation
