// Package accounts holds local users, their passwords, devices and access,
// refresh and login tokens, user-interactive authentication (UIA) and
// registration tokens. The client API adapters and the admin API call it; the
// HTTP server calls Authenticate on every request that needs a user.
//
// Tokens are random 256-bit secrets handed out once and stored only as
// SHA-256 hashes; passwords are stored as argon2id hashes.
package accounts
