package mxid

import (
	"strings"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// maxMediaIDLength bounds media IDs. The spec sets no limit; 255 bytes
// matches the other identifiers and keeps keys and file names short.
const maxMediaIDLength = 255

// ParseContentURI accepts an mxc:// URI ("mxc://<server-name>/<media-id>",
// v1.19 client-server, Matrix Content (mxc://) URIs): a valid server name
// and a media ID of [A-Za-z0-9_-] only, nothing after it. Anything else,
// the empty string included, answers M_INVALID_PARAM. Use it wherever a
// client hands hearth an mxc URI (avatars, media events, admin calls).
func ParseContentURI(s string) (id.ContentURI, error) {
	rest, ok := strings.CutPrefix(s, "mxc://")
	if !ok {
		return id.ContentURI{}, mxerr.New(mxerr.InvalidParam, "invalid content URI %q: want mxc://<server-name>/<media-id>", s)
	}
	server, media, ok := strings.Cut(rest, "/")
	if !ok || !id.ValidateServerName(server) || !ValidMediaID(media) {
		return id.ContentURI{}, mxerr.New(mxerr.InvalidParam, "invalid content URI %q: want mxc://<server-name>/<media-id>", s)
	}
	return id.ContentURI{Homeserver: server, FileID: media}, nil
}

// ParseMediaID accepts the media ID of a content URI, as it arrives in the
// media API's paths, and answers M_INVALID_PARAM otherwise.
func ParseMediaID(s string) (string, error) {
	if !ValidMediaID(s) {
		return "", mxerr.New(mxerr.InvalidParam, "invalid media ID %q", s)
	}
	return s, nil
}

// ValidMediaID tells whether s is a media ID: 1 to 255 characters from
// [A-Za-z0-9_-] (v1.19 client-server, Matrix Content (mxc://) URIs).
func ValidMediaID(s string) bool {
	if s == "" || len(s) > maxMediaIDLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// NewMediaID returns a fresh, unguessable media ID: 32 random characters
// from [A-Za-z0-9], about 190 bits.
func NewMediaID() string { return NewOpaque(32) }
