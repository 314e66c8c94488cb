package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

// goodTitle matches upstream titles that already read as a type name
// ("ClientEvent", "OneTimeKeys"); others ("Authentication Data") are prose.
var goodTitle = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)

// schemaName picks the component name of a hoisted file: the overlay's name
// if it has one, else a title that reads as a type name, else the file name
// in PascalCase. rel is the file's path relative to data/api.
func (r *resolver) schemaName(rel string, tree map[string]any) string {
	if n, ok := r.names[rel]; ok {
		r.used[rel] = true
		return n
	}
	if t, ok := tree["title"].(string); ok && goodTitle.MatchString(t) {
		return t
	}
	return pascal(strings.TrimSuffix(filepath.Base(rel), filepath.Ext(rel)))
}

// pascal turns "client_event", "inviteBy3PID" or "Third-party Signed" into
// "ClientEvent", "InviteBy3PID", "ThirdPartySigned".
func pascal(s string) string {
	var b strings.Builder
	upper := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
