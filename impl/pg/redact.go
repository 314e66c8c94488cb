package pg

import (
	"net/url"
	"regexp"
	"strings"
)

const redacted = "xxxxx"

// kvPassword matches password=... in a keyword=value connection string,
// single-quoted (with backslash escapes, as libpq reads them) or not.
var kvPassword = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]*)`)

// RedactURL returns the connection string dsn with its password, in the
// user info or in a password parameter, replaced by "xxxxx". It never fails:
// what it cannot parse as a URL it treats as keyword=value pairs.
func RedactURL(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return redacted
		}
		if q := u.Query(); q.Has("password") {
			q.Set("password", redacted)
			u.RawQuery = q.Encode()
		}
		return u.Redacted()
	}
	return kvPassword.ReplaceAllString(dsn, "${1}"+redacted)
}
