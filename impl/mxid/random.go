package mxid

import (
	"crypto/rand"
	"encoding/base64"
)

const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// NewDeviceID returns a fresh device ID of ten upper-case letters, the shape
// other homeservers use and clients display.
func NewDeviceID() string { return randomFrom(upper, 10) }

// NewOpaque returns n random characters from [a-zA-Z0-9], for session IDs,
// media IDs and the opaque parts of room and event IDs.
func NewOpaque(n int) string { return randomFrom(alnum, n) }

// NewSecret returns a random token carrying 256 bits of entropy, URL-safe.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

func randomFrom(alphabet string, n int) string {
	// Rejection sampling keeps every character equally likely.
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2)
	for len(out) < n {
		rand.Read(buf)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}
