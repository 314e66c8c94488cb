package accounts

import (
	"crypto/sha256"

	"github.com/hearth-hs/hearth/impl/mxid"
)

// Token prefixes make leaked hearth secrets easy to recognise in logs and by
// secret scanners; the rest is 256 random bits.
const (
	accessTokenPrefix  = "hat_"
	refreshTokenPrefix = "hrt_"
	loginTokenPrefix   = "hlt_"
)

func newToken(prefix string) (token string, hash []byte) {
	token = prefix + mxid.NewSecret()
	return token, hashToken(token)
}

// hashToken is what the database keeps of a token. A fast hash is enough:
// the token is a 256-bit random secret, not a guessable password.
func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
