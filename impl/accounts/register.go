package accounts

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/pg"
)

// RegisterParams is a registration request.
type RegisterParams struct {
	Localpart string // empty: hearth picks one
	Password  string
	Device    DeviceOptions
	// InhibitLogin registers without starting a session.
	InhibitLogin bool
	Guest        bool
	Auth         *AuthData
}

// Register creates an account through user-interactive auth, following the
// configured registration mode. Until the client has completed a flow it
// answers a 401 challenge. The session is empty when InhibitLogin is set.
func (s *Service) Register(ctx context.Context, p RegisterParams) (Session, error) {
	if p.Guest {
		return s.registerGuest(ctx, p.Device)
	}
	var flows [][]string
	switch s.cfg.Registration.Mode {
	case RegistrationOpen:
		flows = [][]string{{StageDummy}}
	case RegistrationToken:
		flows = [][]string{{StageRegistrationToken}}
	default:
		return Session{}, mxerr.New(mxerr.Forbidden, "registration is disabled on this server")
	}
	user, err := s.availableUserID(ctx, p.Localpart)
	if err != nil {
		return Session{}, err
	}
	if err := s.checkNewPassword(p.Password); err != nil {
		return Session{}, err
	}
	grant, err := s.authenticateInteractive(ctx, OpRegister, "", flows, p.Auth)
	if err != nil {
		return Session{}, err
	}
	hash, err := s.passwords.Hash(ctx, p.Password)
	if err != nil {
		return Session{}, err
	}
	var sess Session
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if err := s.insertUserTx(ctx, tx, db.UserInsertParams{UserID: user, PasswordHash: &hash}); err != nil {
			return err
		}
		if err := s.finishUIATx(ctx, tx, grant); err != nil {
			return err
		}
		if p.InhibitLogin {
			sess = Session{UserID: user}
			return nil
		}
		sess, err = s.startSessionTx(ctx, tx, sessionParams{user: user, device: p.Device.DeviceID, displayName: p.Device.DisplayName, refresh: p.Device.Refresh})
		return err
	})
	if err != nil {
		return Session{}, err
	}
	s.log.InfoContext(ctx, "registered user", "user_id", user)
	return sess, nil
}

// registerGuest creates a guest account; guests pass no UIA and choose
// nothing but their device's name.
func (s *Service) registerGuest(ctx context.Context, dev DeviceOptions) (Session, error) {
	if !s.cfg.Registration.AllowGuests {
		return Session{}, mxerr.New(mxerr.Forbidden, "guest access is disabled on this server")
	}
	user := id.NewUserID("guest-"+lower(mxid.NewOpaque(12)), s.serverName)
	var sess Session
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := s.insertUserTx(ctx, tx, db.UserInsertParams{UserID: user, IsGuest: true}); err != nil {
			return err
		}
		var err error
		sess, err = s.startSessionTx(ctx, tx, sessionParams{user: user, displayName: dev.DisplayName, refresh: dev.Refresh})
		return err
	})
	return sess, err
}

// UsernameAvailable answers nil when localpart could be registered now, else
// M_INVALID_USERNAME or M_USER_IN_USE.
func (s *Service) UsernameAvailable(ctx context.Context, localpart string) error {
	_, err := s.availableUserID(ctx, localpart)
	return err
}

// availableUserID checks a requested localpart, or makes one up when it is
// empty.
func (s *Service) availableUserID(ctx context.Context, localpart string) (id.UserID, error) {
	if localpart == "" {
		localpart = lower(mxid.NewOpaque(12))
	}
	localpart = lower(localpart)
	user, err := mxid.NewUserID(localpart, s.serverName)
	if err != nil {
		return "", err
	}
	if slices.Contains(s.cfg.Registration.Reserved, localpart) {
		return "", mxerr.New(mxerr.InvalidUsername, "this user ID is reserved")
	}
	taken, err := s.q.UserExists(ctx, s.pool, user)
	if err != nil {
		return "", fmt.Errorf("check user %s: %w", user, err)
	}
	if taken {
		return "", errUserInUse
	}
	return user, nil
}

var errUserInUse = mxerr.New(mxerr.UserInUse, "this user ID is already taken")

func (s *Service) checkNewPassword(password string) error {
	if password == "" {
		return mxerr.New(mxerr.MissingParam, "a password is required")
	}
	if len(password) < s.cfg.Password.MinLength {
		return mxerr.New(mxerr.WeakPassword, "the password must have at least %d characters", s.cfg.Password.MinLength)
	}
	return nil
}

func (s *Service) insertUserTx(ctx context.Context, tx pgx.Tx, u db.UserInsertParams) error {
	err := s.q.UserInsert(ctx, tx, u)
	user := u.UserID
	if pg.IsUniqueViolation(err, "users_pkey") {
		return errUserInUse
	}
	if err != nil {
		return fmt.Errorf("insert user %s: %w", user, err)
	}
	if u.IsGuest {
		return nil
	}
	// Accounts start with their localpart as display name, as on other
	// homeservers; guests start with none.
	return s.createProfileTx(ctx, tx, user, user.Localpart())
}

// CreateUser makes an account without UIA or registration checks beyond
// the user ID grammar, for operators (`hearth user create`, admin APIs).
func (s *Service) CreateUser(ctx context.Context, localpart, password string, admin bool) (id.UserID, error) {
	user, err := mxid.NewUserID(lower(localpart), s.serverName)
	if err != nil {
		return "", err
	}
	var hash *string
	if password != "" {
		h, err := s.passwords.Hash(ctx, password)
		if err != nil {
			return "", err
		}
		hash = &h
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		return s.insertUserTx(ctx, tx, db.UserInsertParams{UserID: user, PasswordHash: hash, IsAdmin: admin})
	})
	return user, err
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
