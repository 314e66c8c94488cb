package search

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/stream"
)

// cursor is where a page of results ends: the last result's rank (for
// rank order) and stream position. Results sort by (rank, position)
// descending, so the next page starts strictly after it.
type cursor struct {
	rank float32
	pos  stream.Pos
}

// batchToken is a next_batch token: the order it belongs to, its cursor,
// and, for a group's next_batch, the group it continues (a room or a
// sender), to which the next search is then restricted.
type batchToken struct {
	order string
	at    cursor
	// count is the number of matches the first page counted.
	count      int
	groupKey   string // "", GroupRoom or GroupSender
	groupValue string
}

const tokenVersion = "2"

func (t batchToken) String() string {
	s := strings.Join([]string{tokenVersion, t.order, strconv.FormatFloat(float64(t.at.rank), 'g', -1, 32),
		t.at.pos.String(), strconv.Itoa(t.count), t.groupKey, t.groupValue}, "\n")
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

var errBadToken = mxerr.New(mxerr.InvalidParam, "next_batch is not a token of this search")

// parseBatchToken reads a next_batch token for a search in order.
func parseBatchToken(s, order string) (batchToken, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return batchToken{}, errBadToken
	}
	parts := strings.Split(string(raw), "\n")
	if len(parts) != 7 || parts[0] != tokenVersion || parts[1] != order {
		return batchToken{}, errBadToken
	}
	rank, err := strconv.ParseFloat(parts[2], 32)
	if err != nil {
		return batchToken{}, errBadToken
	}
	pos, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil || pos < 0 {
		return batchToken{}, errBadToken
	}
	count, err := strconv.Atoi(parts[4])
	if err != nil || count < 0 {
		return batchToken{}, errBadToken
	}
	t := batchToken{order: order, at: cursor{rank: float32(rank), pos: stream.Pos(pos)}, count: count, groupKey: parts[5], groupValue: parts[6]}
	switch t.groupKey {
	case "":
	case GroupRoom:
		if _, err := mxid.ParseRoomID(t.groupValue); err != nil {
			return batchToken{}, errBadToken
		}
	case GroupSender:
		if _, err := mxid.ParseUserID(t.groupValue); err != nil {
			return batchToken{}, errBadToken
		}
	default:
		return batchToken{}, errBadToken
	}
	return t, nil
}
