package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// UIA stage types hearth offers.
const (
	StageDummy             = "m.login.dummy"
	StagePassword          = "m.login.password"
	StageRegistrationToken = "m.login.registration_token"
)

// Operation names what a UIA session protects. A session started for one
// operation (and user) cannot authorise another.
type Operation string

// Operations protected by user-interactive auth.
const (
	OpRegister       Operation = "register"
	OpDeleteDevices  Operation = "delete_devices"
	OpChangePassword Operation = "change_password"
	OpDeactivate     Operation = "deactivate"
	OpGetLoginToken  Operation = "get_login_token"
	OpCrossSigning   Operation = "cross_signing"
)

// AuthData is the `auth` object a client sends to a UIA-protected endpoint.
type AuthData struct {
	Type    string
	Session string
	// User is the m.login.password identifier (a localpart or user ID).
	User     string
	Password string
	// Token is the m.login.registration_token token.
	Token string
}

// uiaGrant is a completed UIA session. The protected operation passes it to
// finishUIATx in the transaction that does its work, so that a failed
// operation can be retried with the same session.
type uiaGrant struct {
	session           string
	registrationToken *string
}

// Interactive runs user-interactive auth for an operation of an existing
// user: the flows are re-entering the password. It returns nil once the
// client has completed them, else a 401 challenge (or stage failure) as a
// *mxerr.Error. The session is spent: a second call with it starts over.
func (s *Service) Interactive(ctx context.Context, op Operation, user id.UserID, auth *AuthData) error {
	flows, err := s.reauthFlows(ctx, user)
	if err != nil {
		return err
	}
	grant, err := s.authenticateInteractive(ctx, op, user, flows, auth)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error { return s.finishUIATx(ctx, tx, grant) })
}

func (s *Service) reauthFlows(ctx context.Context, user id.UserID) ([][]string, error) {
	u, err := s.q.UserGet(ctx, s.pool, user)
	if err != nil {
		return nil, fmt.Errorf("get user %s: %w", user, err)
	}
	if u.PasswordHash == nil {
		// Nothing to re-enter: the access token is all the proof there is.
		return [][]string{{StageDummy}}, nil
	}
	return [][]string{{StagePassword}}, nil
}

func (s *Service) authenticateInteractive(ctx context.Context, op Operation, user id.UserID, flows [][]string, auth *AuthData) (uiaGrant, error) {
	s.expireUIASessions(ctx)
	if auth == nil || (auth.Session == "" && auth.Type == "") {
		sid, err := s.newUIASession(ctx, s.pool, op, user)
		if err != nil {
			return uiaGrant{}, err
		}
		return uiaGrant{}, challenge(flows, sid, nil, nil)
	}
	var grant uiaGrant
	var answer *mxerr.Error // committed, then returned
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		sess, err := s.loadUIASessionTx(ctx, tx, op, user, auth.Session)
		if err != nil {
			return err
		}
		if sess.SessionID == "" {
			sid, err := s.newUIASession(ctx, tx, op, user)
			if err != nil {
				return err
			}
			sess = db.UiaSession{SessionID: sid}
		}
		completed := sess.Completed
		if auth.Type != "" && !slices.Contains(completed, auth.Type) {
			if !offered(flows, auth.Type) {
				answer = challenge(flows, sess.SessionID, completed, mxerr.New(mxerr.Unrecognized, "stage %q is not offered", auth.Type))
				return nil
			}
			regToken, failure, err := s.checkStage(ctx, tx, user, auth)
			if err != nil {
				return err
			}
			if failure != nil {
				answer = challenge(flows, sess.SessionID, completed, failure)
				return nil
			}
			err = s.q.UIASessionComplete(ctx, tx, db.UIASessionCompleteParams{SessionID: sess.SessionID, Stage: auth.Type, RegistrationToken: regToken})
			if err != nil {
				return fmt.Errorf("complete uia stage: %w", err)
			}
			completed = append(completed, auth.Type)
			if regToken != nil {
				sess.RegistrationToken = regToken
			}
		}
		if !flowDone(flows, completed) {
			answer = challenge(flows, sess.SessionID, completed, nil)
			return nil
		}
		grant = uiaGrant{session: sess.SessionID, registrationToken: sess.RegistrationToken}
		return nil
	})
	if err != nil {
		return uiaGrant{}, err
	}
	if answer != nil {
		return uiaGrant{}, answer
	}
	return grant, nil
}

// loadUIASessionTx returns the session a client names, locked; the zero
// session when none was named. Unknown or expired sessions get a fresh
// challenge-free error; a session of another operation or user is refused.
func (s *Service) loadUIASessionTx(ctx context.Context, tx pgx.Tx, op Operation, user id.UserID, sid string) (db.UiaSession, error) {
	if sid == "" {
		return db.UiaSession{}, nil
	}
	sess, err := s.q.UIASessionGetForUpdate(ctx, tx, sid)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && s.now().Sub(sess.CreatedAt) > s.cfg.UIASessionLifetime) {
		return db.UiaSession{}, mxerr.New(mxerr.Unknown, "unknown or expired auth session").WithStatus(http.StatusBadRequest)
	}
	if err != nil {
		return db.UiaSession{}, fmt.Errorf("get uia session: %w", err)
	}
	if Operation(sess.Operation) != op || sess.UserID != user {
		return db.UiaSession{}, mxerr.New(mxerr.Forbidden, "auth session was started for another request")
	}
	return sess, nil
}

// checkStage verifies one stage. A failure the client should see comes back
// as failure; err is for faults.
func (s *Service) checkStage(ctx context.Context, tx pgx.Tx, user id.UserID, auth *AuthData) (regToken *string, failure *mxerr.Error, err error) {
	switch auth.Type {
	case StageDummy:
		return nil, nil, nil
	case StagePassword:
		if auth.User != "" {
			named, ok := mxid.LocalUser(auth.User, s.serverName)
			if !ok || named != user {
				return nil, mxerr.New(mxerr.Forbidden, "you can only authenticate as yourself"), nil
			}
		}
		if err := s.CheckPassword(ctx, user, auth.Password); err != nil {
			if e := mxerr.As(err); e != nil {
				return nil, e, nil
			}
			return nil, nil, err
		}
		return nil, nil, nil
	case StageRegistrationToken:
		if err := s.reserveRegistrationTokenTx(ctx, tx, auth.Token); err != nil {
			if e := mxerr.As(err); e != nil {
				return nil, e, nil
			}
			return nil, nil, err
		}
		return &auth.Token, nil, nil
	}
	return nil, mxerr.New(mxerr.Unrecognized, "unknown auth stage %q", auth.Type), nil
}

// finishUIATx spends a completed session: a registration token's pending use
// becomes a real one.
func (s *Service) finishUIATx(ctx context.Context, tx pgx.Tx, g uiaGrant) error {
	if g.registrationToken != nil {
		if err := s.q.RegistrationTokenComplete(ctx, tx, *g.registrationToken); err != nil {
			return fmt.Errorf("spend registration token: %w", err)
		}
	}
	if err := s.q.UIASessionDelete(ctx, tx, g.session); err != nil {
		return fmt.Errorf("delete uia session: %w", err)
	}
	return nil
}

func (s *Service) newUIASession(ctx context.Context, q db.DBTX, op Operation, user id.UserID) (string, error) {
	sid := mxid.NewOpaque(24)
	if err := s.q.UIASessionInsert(ctx, q, db.UIASessionInsertParams{SessionID: sid, Operation: string(op), UserID: user, CreatedAt: s.now()}); err != nil {
		return "", fmt.Errorf("insert uia session: %w", err)
	}
	return sid, nil
}

// lastExpiry throttles the clean-up of expired UIA sessions to once a minute
// per process.
var lastExpiry atomic.Int64

func (s *Service) expireUIASessions(ctx context.Context) {
	now := s.now()
	last := lastExpiry.Load()
	if now.Unix()-last < 60 || !lastExpiry.CompareAndSwap(last, now.Unix()) {
		return
	}
	if err := s.q.UIASessionDeleteExpired(ctx, s.pool, now.Add(-s.cfg.UIASessionLifetime)); err != nil {
		s.log.WarnContext(ctx, "expire uia sessions", "err", err)
	}
}

// challenge is the 401 answer of a UIA endpoint: the flows, the session and
// the stages done so far, with the failed stage's error if there was one.
func challenge(flows [][]string, session string, completed []string, failure *mxerr.Error) *mxerr.Error {
	fl := make([]map[string]any, len(flows))
	for i, f := range flows {
		fl[i] = map[string]any{"stages": f}
	}
	e := &mxerr.Error{Status: http.StatusUnauthorized, Extra: map[string]any{
		"flows":   fl,
		"params":  map[string]any{},
		"session": session,
	}}
	if len(completed) > 0 {
		e.Extra["completed"] = completed
	}
	if failure != nil {
		e.Code, e.Message = failure.Code, failure.Message
	}
	return e
}

func offered(flows [][]string, stage string) bool {
	for _, f := range flows {
		if slices.Contains(f, stage) {
			return true
		}
	}
	return false
}

func flowDone(flows [][]string, completed []string) bool {
	for _, f := range flows {
		done := true
		for _, stage := range f {
			if !slices.Contains(completed, stage) {
				done = false
				break
			}
		}
		if done {
			return true
		}
	}
	return false
}
