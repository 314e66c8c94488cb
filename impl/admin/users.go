package admin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/rooms"
)

// UserQuery filters and orders the user list as Synapse's does. Nil
// filters keep everyone.
type UserQuery struct {
	// Search keeps users whose ID contains it ("" for all).
	Search string
	// Guests false leaves guests out.
	Guests                                 bool
	Admins, Deactivated, Locked, Suspended *bool
	// OrderBy is one of Synapse's order_by values (name, creation_ts,
	// last_seen_ts, admin, ...); ties go by user ID.
	OrderBy       string
	Descending    bool
	Offset, Limit int
}

// User is an account as the admin API shows it.
type User struct {
	accounts.Account
	LastSeen *time.Time
}

// Users lists local accounts and says how many match in all.
func (s *Service) Users(ctx context.Context, actor accounts.Principal, q UserQuery) ([]User, int64, error) {
	if err := authorize(actor); err != nil {
		return nil, 0, err
	}
	p := db.AdminUserListParams{
		Search: q.Search, Guests: q.Guests, Admins: q.Admins, Deactivated: q.Deactivated, Locked: q.Locked,
		Suspended: q.Suspended, Descending: q.Descending, OrderBy: q.OrderBy, Off: int32(q.Offset), Lim: int32(q.Limit),
	}
	var rows []db.AdminUserListRow
	var err error
	switch {
	case q.OrderBy == "name" && !q.Descending:
		rows, err = s.usersByName(ctx, p)
	case q.OrderBy == "last_seen_ts":
		var byLastSeen []db.AdminUserListByLastSeenRow
		byLastSeen, err = s.q.AdminUserListByLastSeen(ctx, s.pool, db.AdminUserListByLastSeenParams{
			Search: p.Search, Guests: p.Guests, Admins: p.Admins, Deactivated: p.Deactivated, Locked: p.Locked,
			Suspended: p.Suspended, Descending: p.Descending, Off: p.Off, Lim: p.Lim,
		})
		for _, r := range byLastSeen {
			rows = append(rows, db.AdminUserListRow(r))
		}
	default:
		rows, err = s.q.AdminUserList(ctx, s.pool, p)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	out := make([]User, len(rows))
	var total int64
	for i, r := range rows {
		out[i] = User{Account: accounts.Account{UserID: r.UserID, IsAdmin: r.IsAdmin, IsGuest: r.IsGuest, UserType: r.UserType,
			CreatedAt: r.CreatedAt, DeactivatedAt: r.DeactivatedAt, Erased: r.Erased, Locked: r.Locked, Suspended: r.Suspended},
			LastSeen: msTime(r.LastSeenMs)}
		total = r.Total
	}
	if len(rows) == 0 && q.Offset > 0 {
		q.Offset, q.Limit = 0, 1
		_, total, err = s.Users(ctx, actor, q)
	}
	return out, total, err
}

// usersByName reads a page in the default order from the primary key,
// and counts the users the filters keep apart: no sort of every user.
func (s *Service) usersByName(ctx context.Context, p db.AdminUserListParams) ([]db.AdminUserListRow, error) {
	page, err := s.q.AdminUserListByName(ctx, s.pool, db.AdminUserListByNameParams{
		Search: p.Search, Guests: p.Guests, Admins: p.Admins, Deactivated: p.Deactivated, Locked: p.Locked,
		Suspended: p.Suspended, Off: p.Off, Lim: p.Lim,
	})
	if err != nil {
		return nil, err
	}
	total, err := s.q.AdminUserCount(ctx, s.pool, db.AdminUserCountParams{
		Search: p.Search, Guests: p.Guests, Admins: p.Admins, Deactivated: p.Deactivated, Locked: p.Locked,
		Suspended: p.Suspended,
	})
	if err != nil {
		return nil, err
	}
	rows := make([]db.AdminUserListRow, len(page))
	for i, r := range page {
		rows[i] = db.AdminUserListRow{UserID: r.UserID, IsAdmin: r.IsAdmin, IsGuest: r.IsGuest, UserType: r.UserType,
			DeactivatedAt: r.DeactivatedAt, Erased: r.Erased, Locked: r.Locked, Suspended: r.Suspended,
			CreatedAt: r.CreatedAt, LastSeenMs: r.LastSeenMs, Total: total}
	}
	return rows, nil
}

func msTime(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	t := time.UnixMilli(ms)
	return &t
}

// User returns one local account, or M_NOT_FOUND.
func (s *Service) User(ctx context.Context, actor accounts.Principal, user id.UserID) (User, error) {
	if err := authorize(actor); err != nil {
		return User{}, err
	}
	if err := s.localUser(user); err != nil {
		return User{}, err
	}
	a, err := s.accounts.Account(ctx, user)
	if err != nil {
		return User{}, err
	}
	devs, err := s.accounts.Devices(ctx, user)
	if err != nil {
		return User{}, err
	}
	u := User{Account: a}
	for _, d := range devs {
		if d.LastSeenAt != nil && (u.LastSeen == nil || d.LastSeenAt.After(*u.LastSeen)) {
			u.LastSeen = d.LastSeenAt
		}
	}
	return u, nil
}

// UserChange is Synapse's create-or-modify-user request: nil fields stay
// as they are (or take their defaults on creation).
type UserChange struct {
	Password *string
	// LogoutDevices ends the user's sessions when the password changes
	// (default true).
	LogoutDevices          *bool
	DisplayName, AvatarURL *string
	Admin, Deactivated     *bool
	Locked                 *bool
	UserType               *string
	// SetUserType tells whether UserType was given (nil then means a
	// regular user).
	SetUserType bool
}

// PutUser creates a local account or changes it (Synapse's PUT
// /_synapse/admin/v2/users/{userId}), and says whether it created it.
func (s *Service) PutUser(ctx context.Context, actor accounts.Principal, user id.UserID, c UserChange) (User, bool, error) {
	if err := authorize(actor); err != nil {
		return User{}, false, err
	}
	if err := s.localUser(user); err != nil {
		return User{}, false, err
	}
	exists, err := s.accounts.Exists(ctx, user)
	if err != nil {
		return User{}, false, err
	}
	if !exists {
		if err := s.createUser(ctx, actor, user, c); err != nil {
			return User{}, false, err
		}
	} else if err := s.changeUser(ctx, actor, user, c); err != nil {
		return User{}, false, err
	}
	if s.profiles != nil && (c.DisplayName != nil || c.AvatarURL != nil) {
		if err := s.profiles.SetProfile(ctx, user, c.DisplayName, c.AvatarURL); err != nil {
			return User{}, false, err
		}
	}
	u, err := s.User(ctx, actor, user)
	return u, !exists, err
}

func (s *Service) createUser(ctx context.Context, actor accounts.Principal, user id.UserID, c UserChange) error {
	password := deref(c.Password)
	if _, err := s.accounts.CreateUser(ctx, user.Localpart(), password, deref(c.Admin)); err != nil {
		return err
	}
	if c.SetUserType {
		if err := s.accounts.SetUserType(ctx, user, c.UserType); err != nil {
			return err
		}
	}
	if deref(c.Locked) {
		if err := s.accounts.SetLocked(ctx, user, true); err != nil {
			return err
		}
	}
	s.audit(ctx, actor, "user.create", string(user), map[string]any{"admin": deref(c.Admin), "password": password != ""})
	if deref(c.Deactivated) {
		return s.deactivate(ctx, actor, user, false)
	}
	return nil
}

func (s *Service) changeUser(ctx context.Context, actor accounts.Principal, user id.UserID, c UserChange) error {
	a, err := s.accounts.Account(ctx, user)
	if err != nil {
		return err
	}
	changed := map[string]any{}
	if c.Deactivated != nil && !*c.Deactivated && a.Deactivated() {
		if c.Password == nil || *c.Password == "" {
			return mxerr.New(mxerr.MissingParam, "a password is needed to reactivate an account")
		}
		if err := s.accounts.Reactivate(ctx, user, *c.Password); err != nil {
			return err
		}
		changed["deactivated"] = false
	} else if c.Password != nil && !a.Deactivated() {
		keep := c.LogoutDevices != nil && !*c.LogoutDevices
		if err := s.accounts.ResetPassword(ctx, user, *c.Password, keep); err != nil {
			return err
		}
		changed["password"] = true
	}
	if c.Admin != nil && *c.Admin != a.IsAdmin {
		if user == actor.UserID && !*c.Admin {
			return mxerr.New(mxerr.Forbidden, "you may not demote yourself")
		}
		if err := s.accounts.SetAdmin(ctx, user, *c.Admin); err != nil {
			return err
		}
		changed["admin"] = *c.Admin
	}
	if c.SetUserType {
		if err := s.accounts.SetUserType(ctx, user, c.UserType); err != nil {
			return err
		}
		changed["user_type"] = c.UserType
	}
	if c.Locked != nil && *c.Locked != a.Locked {
		if err := s.accounts.SetLocked(ctx, user, *c.Locked); err != nil {
			return err
		}
		changed["locked"] = *c.Locked
	}
	if c.DisplayName != nil || c.AvatarURL != nil {
		changed["profile"] = true
	}
	if len(changed) > 0 {
		s.audit(ctx, actor, "user.modify", string(user), changed)
	}
	if c.Deactivated != nil && *c.Deactivated && !a.Deactivated() {
		return s.deactivate(ctx, actor, user, false)
	}
	return nil
}

// Deactivate closes a local account for good (Synapse's POST
// /_synapse/admin/v1/deactivate/{userId}): its sessions end, its password
// goes, it leaves every room it is joined to; erase marks it for erasure.
func (s *Service) Deactivate(ctx context.Context, actor accounts.Principal, user id.UserID, erase bool) error {
	if err := authorize(actor); err != nil {
		return err
	}
	if err := s.localUser(user); err != nil {
		return err
	}
	if _, err := s.accounts.Account(ctx, user); err != nil {
		return err
	}
	return s.deactivate(ctx, actor, user, erase)
}

func (s *Service) deactivate(ctx context.Context, actor accounts.Principal, user id.UserID, erase bool) error {
	if err := s.accounts.DeactivateNow(ctx, user, erase); err != nil {
		return err
	}
	left, err := s.leaveAll(ctx, user)
	s.audit(ctx, actor, "user.deactivate", string(user), map[string]any{"erase": erase, "left_rooms": left})
	return err
}

// leaveAll makes a local user leave every room they are joined to.
func (s *Service) leaveAll(ctx context.Context, user id.UserID) (int, error) {
	joined, err := s.rooms.JoinedRooms(ctx, user)
	if err != nil {
		return 0, err
	}
	var errs []error
	n := 0
	for _, room := range joined {
		if err := s.rooms.Leave(ctx, rooms.MembershipParams{Room: room, Sender: user}); err != nil {
			errs = append(errs, fmt.Errorf("leave %s: %w", room, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// ResetPassword sets a user's password (Synapse's POST
// /_synapse/admin/v1/reset_password/{userId}); their sessions end unless
// keepDevices.
func (s *Service) ResetPassword(ctx context.Context, actor accounts.Principal, user id.UserID, password string, keepDevices bool) error {
	if err := authorize(actor); err != nil {
		return err
	}
	if err := s.localUser(user); err != nil {
		return err
	}
	if err := s.accounts.ResetPassword(ctx, user, password, keepDevices); err != nil {
		return err
	}
	s.audit(ctx, actor, "user.reset_password", string(user), map[string]any{"logout_devices": !keepDevices})
	return nil
}

// IsAdmin tells whether a local user is a server admin.
func (s *Service) IsAdmin(ctx context.Context, actor accounts.Principal, user id.UserID) (bool, error) {
	u, err := s.User(ctx, actor, user)
	return u.IsAdmin, err
}

// SetAdmin makes a local user a server admin or not; admins cannot demote
// themselves.
func (s *Service) SetAdmin(ctx context.Context, actor accounts.Principal, user id.UserID, admin bool) error {
	if err := authorize(actor); err != nil {
		return err
	}
	if err := s.localUser(user); err != nil {
		return err
	}
	if user == actor.UserID && !admin {
		return mxerr.New(mxerr.Forbidden, "you may not demote yourself")
	}
	if err := s.accounts.SetAdmin(ctx, user, admin); err != nil {
		return err
	}
	s.audit(ctx, actor, "user.set_admin", string(user), map[string]any{"admin": admin})
	return nil
}

// UsernameAvailable answers nil when localpart could be registered, else
// M_INVALID_USERNAME or M_USER_IN_USE.
func (s *Service) UsernameAvailable(ctx context.Context, actor accounts.Principal, localpart string) error {
	if err := authorize(actor); err != nil {
		return err
	}
	return s.accounts.UsernameAvailable(ctx, localpart)
}

// JoinedRooms lists the rooms a user is joined to.
func (s *Service) JoinedRooms(ctx context.Context, actor accounts.Principal, user id.UserID) ([]id.RoomID, error) {
	if err := authorize(actor); err != nil {
		return nil, err
	}
	return s.rooms.JoinedRooms(ctx, user)
}

// Connection is one place a session was seen from.
type Connection struct {
	IP, UserAgent string
	LastSeen      time.Time
}

// Whois returns where each of a local user's devices was last seen, by
// device. Users may ask about themselves; only admins about others.
func (s *Service) Whois(ctx context.Context, caller accounts.Principal, user id.UserID) (map[id.DeviceID][]Connection, error) {
	if caller.UserID != user {
		if err := authorize(caller); err != nil {
			return nil, err
		}
	}
	if err := s.localUser(user); err != nil {
		return nil, err
	}
	if _, err := s.accounts.Account(ctx, user); err != nil {
		return nil, err
	}
	devs, err := s.accounts.Devices(ctx, user)
	if err != nil {
		return nil, err
	}
	out := make(map[id.DeviceID][]Connection, len(devs))
	for _, d := range devs {
		var conns []Connection
		if d.LastSeenAt != nil {
			conns = append(conns, Connection{IP: deref(d.LastSeenIP), UserAgent: deref(d.LastSeenAgent), LastSeen: *d.LastSeenAt})
		}
		out[d.ID] = conns
	}
	return out, nil
}

// Devices lists a local user's devices.
func (s *Service) Devices(ctx context.Context, actor accounts.Principal, user id.UserID) ([]accounts.Device, error) {
	if err := s.checkUser(ctx, actor, user); err != nil {
		return nil, err
	}
	return s.accounts.Devices(ctx, user)
}

// Device returns one device of a local user, or M_NOT_FOUND.
func (s *Service) Device(ctx context.Context, actor accounts.Principal, user id.UserID, device id.DeviceID) (accounts.Device, error) {
	if err := s.checkUser(ctx, actor, user); err != nil {
		return accounts.Device{}, err
	}
	return s.accounts.Device(ctx, user, device)
}

// RenameDevice sets a device's display name.
func (s *Service) RenameDevice(ctx context.Context, actor accounts.Principal, user id.UserID, device id.DeviceID, name *string) error {
	if err := s.checkUser(ctx, actor, user); err != nil {
		return err
	}
	if err := s.accounts.RenameDevice(ctx, user, device, name); err != nil {
		return err
	}
	s.audit(ctx, actor, "device.rename", string(user), map[string]any{"device_id": device})
	return nil
}

// DeleteDevices logs devices of a local user out; unknown ones are
// ignored.
func (s *Service) DeleteDevices(ctx context.Context, actor accounts.Principal, user id.UserID, devices []id.DeviceID) error {
	if err := s.checkUser(ctx, actor, user); err != nil {
		return err
	}
	if err := s.accounts.DeleteDevices(ctx, user, devices); err != nil {
		return err
	}
	s.audit(ctx, actor, "device.delete", string(user), map[string]any{"device_ids": devices})
	return nil
}

// checkUser lets admins through for local users that exist.
func (s *Service) checkUser(ctx context.Context, actor accounts.Principal, user id.UserID) error {
	if err := authorize(actor); err != nil {
		return err
	}
	if err := s.localUser(user); err != nil {
		return err
	}
	_, err := s.accounts.Account(ctx, user)
	return err
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
