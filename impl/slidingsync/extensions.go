package slidingsync

import (
	"context"
	"slices"

	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/stream"
)

// extensions fills the enabled extensions. Room extensions cover the rooms
// their scope names among those the request matched.
func (s *Service) extensions(ctx context.Context, r *Request, c *conn, upto stream.Pos, matched map[id.RoomID]*combined, resp *Response) error {
	ext := r.Extensions
	if ext.ToDevice != nil && s.d.Devices != nil {
		since := stream.Pos(0)
		if ext.ToDevice.Since != "" {
			p, err := stream.ParseToken(ext.ToDevice.Since)
			if err != nil {
				return mxerr.New(mxerr.InvalidParam, "to_device since is not a token this server issued")
			}
			since = p
		}
		msgs, err := s.d.Devices.ToDevice(ctx, r.User, r.Device, since, upto, ext.ToDevice.Limit)
		if err != nil {
			return err
		}
		resp.ToDevice = &toDeviceResult{NextBatch: upto.Token(), Events: nonNil(msgs)}
	}
	if ext.E2EE && s.d.Devices != nil {
		d, err := s.d.Devices.KeySections(ctx, r.User, r.Device, c.since, upto)
		if err != nil {
			return err
		}
		resp.E2EE = &e2eeResult{Changed: d.Changed, Left: d.Left, OneTimeKeys: d.OneTimeKeysCount, Fallback: d.UnusedFallbackKeys}
	}
	if ext.AccountData != nil && s.d.AccountData != nil {
		global, err := s.d.AccountData.GlobalAccountData(ctx, r.User, c.since, upto)
		if err != nil {
			return err
		}
		rooms := scoped(ext.AccountData, matched)
		perRoom, err := s.d.AccountData.RoomAccountData(ctx, r.User, rooms, c.since, upto)
		if err != nil {
			return err
		}
		resp.AccountData = &accountDataResult{Global: nonNil(global), Rooms: map[id.RoomID][]rawEvent{}}
		for room, evs := range perRoom {
			if len(evs) > 0 {
				resp.AccountData.Rooms[room] = evs
			}
		}
	}
	if (ext.Receipts != nil || ext.Typing != nil) && s.d.Ephemeral != nil {
		var rooms []id.RoomID
		if ext.Receipts != nil {
			rooms = append(rooms, scoped(ext.Receipts, matched)...)
		}
		if ext.Typing != nil {
			rooms = append(rooms, scoped(ext.Typing, matched)...)
		}
		slices.Sort(rooms)
		rooms = slices.Compact(rooms)
		eph, err := s.d.Ephemeral.RoomEphemeral(ctx, r.User, rooms, c.since, upto)
		if err != nil {
			return err
		}
		if ext.Receipts != nil {
			resp.Receipts = ephemeralOf(eph, "m.receipt", scoped(ext.Receipts, matched))
		}
		if ext.Typing != nil {
			resp.Typing = ephemeralOf(eph, "m.typing", scoped(ext.Typing, matched))
		}
	}
	return nil
}

// scoped lists the matched rooms a room extension's scope covers: rooms
// of its lists and its rooms, "*" meaning all; no scope covers them all.
func scoped(scope *RoomScope, matched map[id.RoomID]*combined) []id.RoomID {
	all := scope.Lists == nil && scope.Rooms == nil
	var out []id.RoomID
	for room, cfg := range matched {
		in := all || slices.Contains(scope.Rooms, "*") || slices.Contains(scope.Rooms, string(room)) ||
			slices.Contains(scope.Lists, "*") ||
			slices.ContainsFunc(cfg.lists, func(l string) bool { return slices.Contains(scope.Lists, l) })
		if in {
			out = append(out, room)
		}
	}
	slices.Sort(out)
	return out
}

// ephemeralOf picks events of one type for the rooms in scope.
func ephemeralOf(eph map[id.RoomID][]rawEvent, evType string, rooms []id.RoomID) *roomEventsResult {
	out := &roomEventsResult{Rooms: map[id.RoomID]rawEvent{}}
	for _, room := range rooms {
		for _, e := range eph[room] {
			if gjson.GetBytes(e, "type").Str == evType {
				out.Rooms[room] = e
			}
		}
	}
	return out
}
