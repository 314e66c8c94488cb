// Package mxid turns strings from the wire into mautrix id types, checking
// them once at the edge, and makes new local identifiers. Adapters call it;
// past the adapter, IDs are trusted.
package mxid

import (
	"strings"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// maxIDLength is the byte limit the spec puts on user, room, event IDs and aliases.
const maxIDLength = 255

// ParseUserID accepts any user ID the spec lets exist, historical localparts
// included, and answers M_INVALID_PARAM otherwise.
func ParseUserID(s string) (id.UserID, error) {
	u := id.UserID(s)
	if _, _, err := u.ParseAndValidateRelaxed(); err != nil {
		return "", mxerr.New(mxerr.InvalidParam, "invalid user ID %q", s)
	}
	return u, nil
}

// ParseRoomID accepts a room ID ("!opaque:server", or "!opaque" for room
// version 12 rooms, whose IDs carry no server name).
func ParseRoomID(s string) (id.RoomID, error) {
	if !validSigilled(s, '!', false) {
		return "", mxerr.New(mxerr.InvalidParam, "invalid room ID %q", s)
	}
	return id.RoomID(s), nil
}

// ParseEventID accepts an event ID ("$opaque", with an optional server part
// from room versions 1 and 2).
func ParseEventID(s string) (id.EventID, error) {
	if !validSigilled(s, '$', false) {
		return "", mxerr.New(mxerr.InvalidParam, "invalid event ID %q", s)
	}
	return id.EventID(s), nil
}

// ParseRoomAlias accepts a room alias ("#localpart:server").
func ParseRoomAlias(s string) (id.RoomAlias, error) {
	if !validSigilled(s, '#', true) {
		return "", mxerr.New(mxerr.InvalidParam, "invalid room alias %q", s)
	}
	return id.RoomAlias(s), nil
}

// ParseServerName accepts a server name (host with optional port).
func ParseServerName(s string) (string, error) {
	if !id.ValidateServerName(s) {
		return "", mxerr.New(mxerr.InvalidParam, "invalid server name %q", s)
	}
	return s, nil
}

// validSigilled checks the common grammar: sigil, non-empty opaque part, and
// (when present or required) a valid server name after the first colon.
func validSigilled(s string, sigil byte, serverRequired bool) bool {
	if len(s) < 2 || len(s) > maxIDLength || s[0] != sigil {
		return false
	}
	local, server, hasServer := strings.Cut(s[1:], ":")
	if local == "" && sigil != '#' {
		return false
	}
	if !hasServer {
		return !serverRequired
	}
	return id.ValidateServerName(server)
}
