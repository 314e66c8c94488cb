package mxid

import (
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// NewUserID checks a localpart chosen for a new account against the strict
// grammar (lower-case letters, digits and -.=_/+) and the length limit, and
// answers M_INVALID_USERNAME otherwise.
func NewUserID(localpart, serverName string) (id.UserID, error) {
	if err := id.ValidateUserLocalpart(localpart); err != nil {
		return "", mxerr.New(mxerr.InvalidUsername, "user ID may only contain a-z, 0-9 and -.=_/+")
	}
	u := id.NewUserID(localpart, serverName)
	if len(u) > maxIDLength {
		return "", mxerr.New(mxerr.InvalidUsername, "user ID is longer than %d bytes", maxIDLength)
	}
	return u, nil
}

// LocalUser resolves a login identifier (a bare localpart or a full user ID)
// to a user ID on serverName; the bool is false for another server's user.
// Localparts are lower-cased, as clients often send them as typed.
func LocalUser(identifier, serverName string) (id.UserID, bool) {
	if len(identifier) > 0 && identifier[0] == '@' {
		u := id.UserID(identifier)
		local, server, err := u.ParseAndValidateRelaxed()
		if err != nil || server != serverName {
			return "", false
		}
		return id.NewUserID(local, serverName), true
	}
	return id.NewUserID(toLower(identifier), serverName), true
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
