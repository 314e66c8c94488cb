package ephemeral

import (
	"context"
	"encoding/json"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/stream"
)

// RoomEphemeral returns, per room, the ephemeral events of rooms for
// user's /sync (impl/syncer's Ephemeral provider): m.typing when the
// room's typers changed in (since, upto], m.receipt with the receipts that
// did; with since zero, the current typers (rooms with none left out) and
// every receipt. The two reads run at once, on two connections.
func (s *Service) RoomEphemeral(ctx context.Context, user id.UserID, rooms []id.RoomID, since, upto stream.Pos) (map[id.RoomID][]json.RawMessage, error) {
	out := map[id.RoomID][]json.RawMessage{}
	if len(rooms) == 0 {
		return out, nil
	}
	ids := roomStrings(rooms)
	typing := map[id.RoomID][]json.RawMessage{}
	done := make(chan error, 1)
	go func() { done <- s.typingEvents(ctx, ids, since, upto, typing) }()
	err := s.receiptEvents(ctx, user, ids, since, upto, out)
	if terr := <-done; err == nil {
		err = terr
	}
	if err != nil {
		return nil, err
	}
	for room, evs := range typing {
		out[room] = append(evs, out[room]...)
	}
	return out, nil
}
