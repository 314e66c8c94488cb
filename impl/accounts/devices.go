package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

// Device is one of a user's sessions as the devices API shows it.
type Device struct {
	ID          id.DeviceID
	DisplayName *string
	LastSeenAt  *time.Time
	LastSeenIP  *string
	// LastSeenAgent is the User-Agent of the device's last request.
	LastSeenAgent *string
}

var errUnknownDevice = mxerr.New(mxerr.NotFound, "unknown device")

func deviceFromRow(r db.Device) Device {
	return Device{ID: r.DeviceID, DisplayName: r.DisplayName, LastSeenAt: r.LastSeenAt, LastSeenIP: r.LastSeenIp,
		LastSeenAgent: r.LastSeenAgent}
}

// Devices lists user's devices, ordered by ID.
func (s *Service) Devices(ctx context.Context, user id.UserID) ([]Device, error) {
	rows, err := s.q.DeviceListByUser(ctx, s.pool, user)
	if err != nil {
		return nil, fmt.Errorf("list devices of %s: %w", user, err)
	}
	out := make([]Device, len(rows))
	for i, r := range rows {
		out[i] = deviceFromRow(r)
	}
	return out, nil
}

// Device returns one of user's devices, or M_NOT_FOUND.
func (s *Service) Device(ctx context.Context, user id.UserID, device id.DeviceID) (Device, error) {
	r, err := s.q.DeviceGet(ctx, s.pool, db.DeviceGetParams{UserID: user, DeviceID: device})
	if errors.Is(err, pgx.ErrNoRows) {
		return Device{}, errUnknownDevice
	}
	if err != nil {
		return Device{}, fmt.Errorf("get device %s of %s: %w", device, user, err)
	}
	return deviceFromRow(r), nil
}

// DeviceHook is told, in the transaction that makes them, of changes to a
// user's devices, so that what hangs off a device elsewhere (its
// encryption keys and messages, other users' device lists) follows.
// impl/e2ee implements it.
type DeviceHook interface {
	// DevicesChangedTx is called once devices of user were deleted
	// (deleted) or renamed (deleted empty), last in the transaction.
	DevicesChangedTx(ctx context.Context, tx pgx.Tx, user id.UserID, deleted []id.DeviceID) error
}

// devicesChangedTx tells the device hook, if any, of a change.
func (s *Service) devicesChangedTx(ctx context.Context, tx pgx.Tx, user id.UserID, deleted []id.DeviceID) error {
	if s.deviceHook == nil {
		return nil
	}
	return s.deviceHook.DevicesChangedTx(ctx, tx, user, deleted)
}

// RenameDevice sets a device's display name (nil clears it), or answers
// M_NOT_FOUND for a device the user does not have.
func (s *Service) RenameDevice(ctx context.Context, user id.UserID, device id.DeviceID, name *string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		n, err := s.q.DeviceSetDisplayName(ctx, tx, db.DeviceSetDisplayNameParams{UserID: user, DeviceID: device, DisplayName: name})
		if err != nil {
			return fmt.Errorf("rename device %s of %s: %w", device, user, err)
		}
		if n == 0 {
			return errUnknownDevice
		}
		return s.devicesChangedTx(ctx, tx, user, nil)
	})
}

// DeleteDevices deletes devices of user, and with them their tokens. Device
// IDs the user does not have are ignored, as the spec asks.
func (s *Service) DeleteDevices(ctx context.Context, user id.UserID, devices []id.DeviceID) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return s.DeleteDevicesTx(ctx, tx, user, devices) })
}

// DeleteDevicesTx is DeleteDevices in the caller's transaction.
func (s *Service) DeleteDevicesTx(ctx context.Context, tx pgx.Tx, user id.UserID, devices []id.DeviceID) error {
	ids := make([]string, len(devices))
	for i, d := range devices {
		ids[i] = string(d)
	}
	deleted, err := s.q.DeviceDelete(ctx, tx, db.DeviceDeleteParams{UserID: user, DeviceIds: ids})
	if err != nil {
		return fmt.Errorf("delete devices of %s: %w", user, err)
	}
	if len(deleted) == 0 {
		return nil
	}
	return s.devicesChangedTx(ctx, tx, user, deleted)
}

// CreateDeviceTx creates a device with no tokens (a dehydrated device,
// MSC3814), or keeps the one the user has with that ID, in the caller's
// transaction.
func (s *Service) CreateDeviceTx(ctx context.Context, tx pgx.Tx, user id.UserID, device id.DeviceID, displayName *string) error {
	if err := s.q.DeviceUpsert(ctx, tx, db.DeviceUpsertParams{UserID: user, DeviceID: device, DisplayName: displayName}); err != nil {
		return fmt.Errorf("create device %s of %s: %w", device, user, err)
	}
	return nil
}

// Logout ends the caller's session: its device and every token of it.
func (s *Service) Logout(ctx context.Context, p Principal) error {
	return s.DeleteDevices(ctx, p.UserID, []id.DeviceID{p.DeviceID})
}

// LogoutAll ends every session of the caller's user.
func (s *Service) LogoutAll(ctx context.Context, user id.UserID) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		deleted, err := s.q.DeviceDeleteAllExcept(ctx, tx, db.DeviceDeleteAllExceptParams{UserID: user})
		if err != nil {
			return fmt.Errorf("delete all devices of %s: %w", user, err)
		}
		if len(deleted) == 0 {
			return nil
		}
		return s.devicesChangedTx(ctx, tx, user, deleted)
	})
}

// DeleteDevicesInteractive deletes devices of the caller's user after
// user-interactive auth (POST /delete_devices).
func (s *Service) DeleteDevicesInteractive(ctx context.Context, p Principal, devices []id.DeviceID, auth *AuthData) error {
	if err := s.Interactive(ctx, OpDeleteDevices, p.UserID, auth); err != nil {
		return err
	}
	return s.DeleteDevices(ctx, p.UserID, devices)
}

// DeleteDeviceInteractive deletes one device after user-interactive auth
// (DELETE /devices/{deviceId}); an unknown device is M_NOT_FOUND before any
// auth is asked for.
func (s *Service) DeleteDeviceInteractive(ctx context.Context, p Principal, device id.DeviceID, auth *AuthData) error {
	if _, err := s.Device(ctx, p.UserID, device); err != nil {
		return err
	}
	return s.DeleteDevicesInteractive(ctx, p, []id.DeviceID{device}, auth)
}
