package rooms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/rooms/events"
)

// currentEvent returns the room's current state event for (evType,
// stateKey), or nil when there is none.
func (s *Service) currentEvent(ctx context.Context, q db.DBTX, roomNID int64, roomID id.RoomID, version id.RoomVersion, evType, stateKey string) (*events.Event, error) {
	nid, err := s.q.CurrentStateEventNID(ctx, q, db.CurrentStateEventNIDParams{RoomNid: roomNID, Type: evType, StateKey: stateKey})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s state: %w", evType, err)
	}
	evs, err := events.ByNIDs(ctx, q, []events.NID{events.NID(nid)})
	if err != nil || len(evs) == 0 {
		return nil, err
	}
	return evs[0], nil
}

// powerLevels reads the room's current power levels, with the create event
// attached so that room version 12's creators get their unlimited power.
func (s *Service) powerLevels(ctx context.Context, q db.DBTX, roomNID int64, roomID id.RoomID, version id.RoomVersion) (*event.PowerLevelsEventContent, error) {
	plEv, err := s.currentEvent(ctx, q, roomNID, roomID, version, event.StatePowerLevels.Type, "")
	if err != nil {
		return nil, err
	}
	createEv, err := s.currentEvent(ctx, q, roomNID, roomID, version, event.StateCreate.Type, "")
	if err != nil {
		return nil, err
	}
	pl := &event.PowerLevelsEventContent{}
	if plEv != nil {
		if err := json.Unmarshal(plEv.Content(), pl); err != nil {
			return nil, fmt.Errorf("decode power levels of %s: %w", roomID, err)
		}
	} else if createEv != nil && !version.PrivilegedRoomCreators() {
		pl.Users = map[id.UserID]int{createEv.Sender: 100}
	}
	if createEv != nil && version.PrivilegedRoomCreators() {
		p, err := createEv.Parse()
		if err != nil {
			return nil, err
		}
		if pl.CreateEvent, err = p.ToClientEvent(version); err != nil {
			return nil, fmt.Errorf("read create event of %s: %w", roomID, err)
		}
		if err := pl.CreateEvent.Content.ParseRaw(pl.CreateEvent.Type); err != nil {
			return nil, fmt.Errorf("read create event of %s: %w", roomID, err)
		}
	}
	return pl, nil
}
