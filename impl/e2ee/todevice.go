package e2ee

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/stream"
)

// ToDeviceParams are a PUT /sendToDevice: content by user and device ID
// ("*" for every device of the user).
type ToDeviceParams struct {
	Sender       id.UserID
	SenderDevice id.DeviceID
	Type         string
	TxnID        string
	Messages     map[id.UserID]map[string]json.RawMessage
}

// allDevices names every device of a user in a to-device request.
const allDevices = "*"

// notifyUsersChunk keeps a notification of recipients under PostgreSQL's
// 8000-byte payload cap.
const notifyUsersChunk = 150

// SendToDevice queues to-device messages for local devices and wakes their
// waiting syncs. It is idempotent per sender device and transaction ID: a
// repeated request is accepted and sends nothing. Devices that do not
// exist are skipped, as Synapse does; other servers' users go through
// Remote once federation is built (until then they are dropped, logged).
func (s *Service) SendToDevice(ctx context.Context, p ToDeviceParams) error {
	local := map[id.UserID]map[string]json.RawMessage{}
	remote := map[string]map[id.UserID]map[string]json.RawMessage{}
	for user, byDevice := range p.Messages {
		for dev, content := range byDevice {
			if _, err := object(content, "the content for "+string(user)+" "+dev); err != nil {
				return err
			}
		}
		if s.isLocal(user) {
			local[user] = byDevice
			continue
		}
		server := user.Homeserver()
		if remote[server] == nil {
			remote[server] = map[id.UserID]map[string]json.RawMessage{}
		}
		remote[server][user] = byDevice
	}
	fresh := false
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		n, err := s.q.ToDeviceTxnInsert(ctx, tx, db.ToDeviceTxnInsertParams{UserID: p.Sender, DeviceID: p.SenderDevice, TxnID: p.TxnID})
		if err != nil {
			return fmt.Errorf("record to-device transaction %s: %w", p.TxnID, err)
		}
		if fresh = n == 1; !fresh {
			return nil
		}
		return s.queueLocalTx(ctx, tx, p, local)
	})
	if err != nil || !fresh {
		return err
	}
	for server, msgs := range remote {
		if s.remote == nil {
			s.log.WarnContext(ctx, "to-device messages for another server dropped: no federation", "server", server, "user_id", p.Sender)
			continue
		}
		if err := s.remote.SendToDevice(ctx, server, p.Sender, p.Type, msgs); err != nil {
			s.log.WarnContext(ctx, "send to-device messages", "server", server, "user_id", p.Sender, "err", err)
		}
	}
	return nil
}

// queueLocalTx stores the messages for local devices at a new stream
// position and announces them to their users.
func (s *Service) queueLocalTx(ctx context.Context, tx pgx.Tx, p ToDeviceParams, local map[id.UserID]map[string]json.RawMessage) error {
	if len(local) == 0 {
		return nil
	}
	users := slices.Sorted(maps.Keys(local))
	rows, err := s.q.DevicesOfUsers(ctx, tx, userStrings(users))
	if err != nil {
		return fmt.Errorf("read recipients' devices: %w", err)
	}
	devices := map[id.UserID][]id.DeviceID{}
	for _, r := range rows {
		devices[r.UserID] = append(devices[r.UserID], r.DeviceID)
	}
	var uids, dids []string
	var msgs [][]byte
	var recipients []id.UserID
	for _, user := range users {
		byDevice := local[user]
		n := len(uids)
		for _, dev := range devices[user] {
			content, ok := byDevice[string(dev)]
			if !ok {
				content, ok = byDevice[allDevices]
			}
			if !ok {
				continue
			}
			msg, err := json.Marshal(toDeviceEvent{Type: p.Type, Sender: p.Sender, Content: content})
			if err != nil {
				return mxerr.Wrap(err, mxerr.BadJSON, "bad to-device content")
			}
			uids, dids, msgs = append(uids, string(user)), append(dids, string(dev)), append(msgs, msg)
		}
		if len(uids) > n {
			recipients = append(recipients, user)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := stream.AdvanceTx(ctx, tx); err != nil {
		return err
	}
	if err := s.q.ToDeviceInsert(ctx, tx, db.ToDeviceInsertParams{UserIds: uids, DeviceIds: dids, Messages: msgs}); err != nil {
		return fmt.Errorf("queue to-device messages: %w", err)
	}
	for len(recipients) > 0 {
		chunk := recipients[:min(len(recipients), notifyUsersChunk)]
		if err := stream.NotifyCurrentTx(ctx, tx, "", chunk); err != nil {
			return err
		}
		recipients = recipients[len(chunk):]
	}
	return nil
}

// toDeviceEvent is a to-device message as its device receives it.
type toDeviceEvent struct {
	Content json.RawMessage `json:"content"`
	Sender  id.UserID       `json:"sender"`
	Type    string          `json:"type"`
}

// toDeviceAfter reads up to limit messages of a device at or before upto
// after the message at (afterPos, afterNID), by position.
func (s *Service) toDeviceAfter(ctx context.Context, user id.UserID, device id.DeviceID, upto stream.Pos, afterPos, afterNID int64, limit int) ([]db.ToDeviceAfterRow, error) {
	rows, err := s.q.ToDeviceAfter(ctx, s.pool, db.ToDeviceAfterParams{
		UserID: user, DeviceID: device, Upto: int64(upto), AfterPos: afterPos, AfterNid: afterNID, Lim: int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("read to-device messages of %s %s: %w", user, device, err)
	}
	return rows, nil
}
