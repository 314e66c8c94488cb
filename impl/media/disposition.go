package media

import (
	"mime"
	"strings"
	"unicode"
)

// inlineTypes may be served with Content-Disposition: inline (v1.19
// client-server, Serving inline content; the list Synapse uses). Anything
// else, HTML and SVG above all (they run scripts in the server's origin),
// is an attachment.
var inlineTypes = map[string]bool{
	"text/css":            true,
	"text/plain":          true,
	"text/csv":            true,
	"application/json":    true,
	"application/ld+json": true,
	"image/jpeg":          true,
	"image/gif":           true,
	"image/png":           true,
	"image/apng":          true,
	"image/webp":          true,
	"image/avif":          true,
	"video/mp4":           true,
	"video/webm":          true,
	"video/ogg":           true,
	"video/quicktime":     true,
	"audio/mp4":           true,
	"audio/webm":          true,
	"audio/aac":           true,
	"audio/mpeg":          true,
	"audio/ogg":           true,
	"audio/wave":          true,
	"audio/wav":           true,
	"audio/x-wav":         true,
	"audio/x-pn-wav":      true,
	"audio/flac":          true,
	"audio/x-flac":        true,
}

// Inline tells whether content of type contentType may be shown inline.
func Inline(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && inlineTypes[mt]
}

// ContentDisposition returns the Content-Disposition of content of type
// contentType named fileName: inline for the types of [Inline], attachment
// otherwise, with the file name sanitised and encoded as RFC 6266 asks
// (filename="…" for plain ASCII, filename*=UTF-8”… per RFC 5987 otherwise).
// An empty file name is left out.
func ContentDisposition(contentType, fileName string) string {
	disp := "attachment"
	if Inline(contentType) {
		disp = "inline"
	}
	name := SanitizeFileName(fileName)
	if name == "" {
		return disp
	}
	if plainASCII(name) {
		return disp + `; filename="` + name + `"`
	}
	return disp + "; filename*=utf-8''" + encodeRFC5987(name)
}

// plainASCII tells whether s can go in a quoted-string as it is.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '%' {
			return false
		}
	}
	return true
}

// encodeRFC5987 percent-encodes s as an RFC 5987 value-chars.
func encodeRFC5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// SanitizeFileName makes a client's file name safe to hand back: valid
// UTF-8, no control characters, no path (only the last element), no
// leading dots, at most 255 bytes.
func SanitizeFileName(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimLeft(strings.TrimSpace(s), ".")
	for len(s) > 255 {
		_, size := lastRune(s)
		s = s[:len(s)-size]
	}
	return s
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return rune(s[i]), len(s) - i
		}
	}
	return 0, len(s)
}
