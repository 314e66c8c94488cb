package rooms

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

// mutualRoomsPageSize is how many rooms one page of mutual rooms holds.
const mutualRoomsPageSize = 100

// MutualRoomsPage is a page of the rooms two users share.
type MutualRoomsPage struct {
	Rooms []id.RoomID
	// Count is how many rooms they share in all.
	Count int
	// NextBatch is the token of the next page, "" on the last.
	NextBatch string
}

var errBadMutualToken = mxerr.New(mxerr.InvalidParam, "unknown pagination token")

// MutualRooms returns a page of the rooms both user and other are joined
// to (GET /_matrix/client/v1/mutual_rooms), by room ID, after the page whose
// NextBatch is from ("" for the first). Asking about yourself and a bad
// token are M_INVALID_PARAM; a user nobody knows shares no room.
func (s *Service) MutualRooms(ctx context.Context, user, other id.UserID, from string) (MutualRoomsPage, error) {
	if user == other {
		return MutualRoomsPage{}, mxerr.New(mxerr.InvalidParam, "you cannot ask which rooms you share with yourself")
	}
	after, err := parseMutualToken(from)
	if err != nil {
		return MutualRoomsPage{}, err
	}
	rows, err := s.q.MembershipMutualRooms(ctx, s.pool, db.MembershipMutualRoomsParams{
		UserID: user, OtherUserID: other, After: string(after), MaxRows: mutualRoomsPageSize + 1,
	})
	if err != nil {
		return MutualRoomsPage{}, fmt.Errorf("list rooms %s shares with %s: %w", user, other, err)
	}
	count, err := s.q.MembershipMutualRoomsCount(ctx, s.pool, db.MembershipMutualRoomsCountParams{UserID: user, OtherUserID: other})
	if err != nil {
		return MutualRoomsPage{}, fmt.Errorf("count rooms %s shares with %s: %w", user, other, err)
	}
	page := MutualRoomsPage{Rooms: make([]id.RoomID, 0, min(len(rows), mutualRoomsPageSize)), Count: int(count)}
	for _, r := range rows[:min(len(rows), mutualRoomsPageSize)] {
		page.Rooms = append(page.Rooms, id.RoomID(r))
	}
	if len(rows) > mutualRoomsPageSize {
		page.NextBatch = mutualToken(page.Rooms[len(page.Rooms)-1])
	}
	return page, nil
}

// mutualToken is the token of the page after room: the room ID, encoded so
// that clients treat it as opaque, behind a version letter.
func mutualToken(room id.RoomID) string {
	return "m" + base64.RawURLEncoding.EncodeToString([]byte(room))
}

func parseMutualToken(s string) (id.RoomID, error) {
	if s == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, "m"))
	if err != nil || s[0] != 'm' || len(raw) < 2 || raw[0] != '!' {
		return "", errBadMutualToken
	}
	return id.RoomID(raw), nil
}
