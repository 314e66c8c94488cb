package stream

import (
	"strconv"
	"strings"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// tokenPrefix starts every token hearth hands out for a stream position.
const tokenPrefix = "s"

// Token returns the token of a position: what /sync's next_batch and the
// pagination tokens are made of.
func (p Pos) Token() string { return tokenPrefix + strconv.FormatInt(int64(p), 10) }

// ParseToken reads a position token, answering M_INVALID_PARAM for
// anything hearth did not hand out. A suffix after "_" (sliding sync's pos
// carries its connection's position there) is ignored, so that a sliding
// sync pos works wherever a /sync token does.
func ParseToken(s string) (Pos, error) {
	rest, ok := strings.CutPrefix(s, tokenPrefix)
	rest, _, _ = strings.Cut(rest, "_")
	if !ok {
		return 0, mxerr.New(mxerr.InvalidParam, "invalid token %q", s)
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || n < 0 {
		return 0, mxerr.New(mxerr.InvalidParam, "invalid token %q", s)
	}
	return Pos(n), nil
}
