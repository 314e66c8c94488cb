package syncer

import (
	"context"
	"encoding/json"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/filter"
	"github.com/hearth-hs/hearth/impl/stream"
)

// roomExtras reads rooms' ephemeral events and account data from their
// providers, filtered by the room's ephemeral and account data filters.
func (s *Service) roomExtras(ctx context.Context, r Request, f *filter.Filter, since, upto stream.Pos, roomIDs []id.RoomID) (map[id.RoomID][]rawEvent, map[id.RoomID][]rawEvent, error) {
	var ef, af *filter.RoomEventFilter
	if f.Room != nil {
		ef, af = f.Room.Ephemeral, f.Room.AccountData
	}
	ephemeral := map[id.RoomID][]rawEvent{}
	accountData := map[id.RoomID][]rawEvent{}
	if s.d.Ephemeral != nil {
		got, err := s.d.Ephemeral.RoomEphemeral(ctx, r.User, roomIDs, since, upto)
		if err != nil {
			return nil, nil, err
		}
		for room, evs := range got {
			if ef == nil || ef.MatchRoom(room) {
				ephemeral[room] = keepTyped(evs, eventFilterOf(ef))
			}
		}
	}
	if s.d.AccountData != nil {
		got, err := s.d.AccountData.RoomAccountData(ctx, r.User, roomIDs, since, upto)
		if err != nil {
			return nil, nil, err
		}
		for room, evs := range got {
			if af == nil || af.MatchRoom(room) {
				accountData[room] = keepTyped(evs, eventFilterOf(af))
			}
		}
	}
	return ephemeral, accountData, nil
}

// userSections fills the parts of /sync that are the user's own: global
// account data, presence, and the end-to-end encryption sections.
func (s *Service) userSections(ctx context.Context, r Request, f *filter.Filter, since, upto stream.Pos, resp *response) error {
	if s.d.AccountData != nil {
		evs, err := s.d.AccountData.GlobalAccountData(ctx, r.User, since, upto)
		if err != nil {
			return err
		}
		resp.accountData = keepTyped(evs, f.AccountData)
	}
	if s.d.Ephemeral != nil {
		evs, err := s.d.Ephemeral.Presence(ctx, r.User, since, upto)
		if err != nil {
			return err
		}
		resp.presence = keepTyped(evs, f.Presence)
	}
	if s.d.Devices != nil {
		dev, err := s.d.Devices.DeviceSections(ctx, r.User, r.Device, since, upto)
		if err != nil {
			return err
		}
		resp.devices = dev
	}
	return nil
}

func eventFilterOf(f *filter.RoomEventFilter) *filter.EventFilter {
	if f == nil {
		return nil
	}
	return &f.EventFilter
}

// keepTyped keeps the events ({"type", "sender"?...}) an event filter
// accepts, up to its limit.
func keepTyped(evs []json.RawMessage, f *filter.EventFilter) []rawEvent {
	out := make([]rawEvent, 0, len(evs))
	limit := len(evs)
	if f != nil {
		limit = f.LimitOr(len(evs), len(evs))
	}
	for _, e := range evs {
		if len(out) == limit {
			break
		}
		if f == nil || f.Match(senderOf(e), typeOf(e)) {
			out = append(out, rawEvent(e))
		}
	}
	return out
}
