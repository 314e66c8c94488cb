package directory

import (
	"context"

	"maunium.net/go/mautrix/id"
)

// Visibility tells whether a room is in the public room list (GET
// /directory/list/room/{roomId}); an unknown room is M_NOT_FOUND.
func (s *Service) Visibility(ctx context.Context, room id.RoomID) (bool, error) {
	return s.rooms.Published(ctx, room)
}

// SetVisibility adds a room to the public room list or takes it off (PUT
// /directory/list/room/{roomId}). Server admins may, and joined members
// with the power to send m.room.canonical_alias (Synapse's rule; the spec
// leaves it to servers). Errors: M_NOT_FOUND for an unknown room,
// M_FORBIDDEN.
func (s *Service) SetVisibility(ctx context.Context, c Caller, room id.RoomID, public bool) error {
	known, err := s.rooms.Known(ctx, room)
	if err != nil {
		return err
	}
	if !known {
		return errRoomNotFound
	}
	if !c.IsAdmin {
		if err := s.mayEditDirectory(ctx, room, c.User); err != nil {
			return err
		}
	}
	return s.rooms.SetPublished(ctx, room, public)
}
