package e2ee

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
)

// Dehydrated devices (MSC3814, unstable): a device a user's clients keep
// on the server, with its keys, so that it receives room keys while no
// client is around; a new client rehydrates it from device_data and reads
// its to-device messages. Each user has at most one.

// DehydratedParams are a PUT /dehydrated_device: the device, its encrypted
// data and its keys (as POST /keys/upload takes them).
type DehydratedParams struct {
	User        id.UserID
	Device      id.DeviceID
	DeviceData  json.RawMessage
	DisplayName *string
	DeviceKeys  json.RawMessage
	// OneTimeKeys and FallbackKeys are keyed "<algorithm>:<key ID>".
	OneTimeKeys, FallbackKeys map[string]json.RawMessage
}

var errNoDehydrated = mxerr.New(mxerr.NotFound, "no dehydrated device is available")

// PutDehydratedDevice makes p.Device the user's dehydrated device: a
// device without tokens, with its keys, replacing (deleting) the previous
// one. The device ID must not be one of the user's other devices, and the
// device keys, which the MSC uploads in the same request so that no
// dehydrated device lacks them, are checked as POST /keys/upload does.
func (s *Service) PutDehydratedDevice(ctx context.Context, p DehydratedParams) error {
	d, err := object(p.DeviceData, "device_data")
	if err != nil {
		return err
	}
	if d.Get("algorithm").Str == "" {
		return mxerr.New(mxerr.InvalidParam, "device_data.algorithm is required")
	}
	if p.Device == "" || len(p.Device) > 255 {
		return mxerr.New(mxerr.InvalidParam, "device_id must be 1 to 255 characters")
	}
	if len(p.DeviceKeys) == 0 {
		return mxerr.New(mxerr.MissingParam, "device_keys are required")
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.lockTx(ctx, tx, "dehydrated", p.User); err != nil {
			return err
		}
		old, err := s.q.DehydratedDeviceGet(ctx, tx, p.User)
		switch {
		case err == nil:
			if err := s.accounts.DeleteDevicesTx(ctx, tx, p.User, []id.DeviceID{old.DeviceID}); err != nil {
				return err
			}
		case !pg.IsNoRows(err):
			return fmt.Errorf("read dehydrated device of %s: %w", p.User, err)
		}
		taken, err := s.q.DeviceExists(ctx, tx, db.DeviceExistsParams{UserID: p.User, DeviceID: p.Device})
		if err != nil {
			return fmt.Errorf("look up device %s of %s: %w", p.Device, p.User, err)
		}
		if taken {
			return mxerr.New(mxerr.InvalidParam, "device ID %s is in use", p.Device)
		}
		if err := s.accounts.CreateDeviceTx(ctx, tx, p.User, p.Device, p.DisplayName); err != nil {
			return err
		}
		err = s.q.DehydratedDeviceUpsert(ctx, tx, db.DehydratedDeviceUpsertParams{UserID: p.User, DeviceID: p.Device, DeviceData: p.DeviceData})
		if err != nil {
			return fmt.Errorf("store dehydrated device of %s: %w", p.User, err)
		}
		_, err = s.uploadKeysTx(ctx, tx, UploadParams{
			User: p.User, Device: p.Device, DeviceKeys: p.DeviceKeys, OneTimeKeys: p.OneTimeKeys, FallbackKeys: p.FallbackKeys,
		})
		if err != nil {
			return err
		}
		return markChangedTx(ctx, tx, listChange{user: p.User})
	})
}

// DehydratedDevice returns the user's dehydrated device and its data, or
// M_NOT_FOUND.
func (s *Service) DehydratedDevice(ctx context.Context, user id.UserID) (id.DeviceID, json.RawMessage, error) {
	row, err := s.q.DehydratedDeviceGet(ctx, s.pool, user)
	if pg.IsNoRows(err) {
		return "", nil, errNoDehydrated
	}
	if err != nil {
		return "", nil, fmt.Errorf("read dehydrated device of %s: %w", user, err)
	}
	return row.DeviceID, row.DeviceData, nil
}

// DeleteDehydratedDevice deletes the user's dehydrated device (with its
// keys and messages) and returns its ID, or M_NOT_FOUND.
func (s *Service) DeleteDehydratedDevice(ctx context.Context, user id.UserID) (id.DeviceID, error) {
	var device id.DeviceID
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.lockTx(ctx, tx, "dehydrated", user); err != nil {
			return err
		}
		row, err := s.q.DehydratedDeviceGet(ctx, tx, user)
		if pg.IsNoRows(err) {
			return errNoDehydrated
		}
		if err != nil {
			return fmt.Errorf("read dehydrated device of %s: %w", user, err)
		}
		device = row.DeviceID
		return s.accounts.DeleteDevicesTx(ctx, tx, user, []id.DeviceID{device})
	})
	return device, err
}

// DehydratedEvents returns a batch of the dehydrated device's to-device
// messages after the token nextBatch ("" for the first), and the token of
// the next batch. Unlike /sync, a token acknowledges nothing: messages stay
// until the device is deleted, so that an interrupted rehydration can start
// over (MSC3814). The last batch is empty and hands back its own token.
// A device that is not the user's dehydrated device is M_FORBIDDEN.
func (s *Service) DehydratedEvents(ctx context.Context, user id.UserID, device id.DeviceID, nextBatch string) ([]json.RawMessage, string, error) {
	row, err := s.q.DehydratedDeviceGet(ctx, s.pool, user)
	if err != nil && !pg.IsNoRows(err) {
		return nil, "", fmt.Errorf("read dehydrated device of %s: %w", user, err)
	}
	if err != nil || row.DeviceID != device {
		return nil, "", mxerr.New(mxerr.Forbidden, "%s is not your dehydrated device", device)
	}
	afterPos, afterNID, err := parseBatch(nextBatch)
	if err != nil {
		return nil, "", err
	}
	upto, err := s.positions.Refresh(ctx)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.toDeviceAfter(ctx, user, device, upto, afterPos, afterNID, s.cfg.ToDeviceLimit)
	if err != nil {
		return nil, "", err
	}
	events := make([]json.RawMessage, len(rows))
	for i, r := range rows {
		events[i] = r.Message
	}
	if len(rows) > 0 {
		last := rows[len(rows)-1]
		afterPos, afterNID = last.StreamPos, last.MsgNid
	}
	return events, formatBatch(afterPos, afterNID), nil
}

// A dehydrated device's batch token is the last message handed out:
// "d<stream position>_<message number>".
func formatBatch(pos, nid int64) string {
	return "d" + strconv.FormatInt(pos, 10) + "_" + strconv.FormatInt(nid, 10)
}

func parseBatch(s string) (pos, nid int64, err error) {
	if s == "" {
		return 0, 0, nil
	}
	p, n, ok := strings.Cut(strings.TrimPrefix(s, "d"), "_")
	pos, err1 := strconv.ParseInt(p, 10, 64)
	nid, err2 := strconv.ParseInt(n, 10, 64)
	if !ok || !strings.HasPrefix(s, "d") || err1 != nil || err2 != nil {
		return 0, 0, mxerr.New(mxerr.InvalidParam, "invalid next_batch %q", s)
	}
	return pos, nid, nil
}
