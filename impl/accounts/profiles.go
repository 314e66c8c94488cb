package accounts

import (
	"context"
	"encoding/json"
	"log/slog"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// MemberEvents carries a changed display name or avatar into the rooms a
// user is joined to (rooms.Service.UpdateMemberProfile): member events
// repeat both in every room.
type MemberEvents interface {
	UpdateMemberProfile(ctx context.Context, user id.UserID) (int, error)
}

// RemoteProfiles looks up other servers' users over federation. hearth has
// no federation client yet: with none, remote profiles are not found.
type RemoteProfiles interface {
	Profile(ctx context.Context, user id.UserID) (*Profile, error)
}

// ProfilesDeps are what Profiles needs.
type ProfilesDeps struct {
	Accounts *Service
	// Members may be nil: profile changes then stay out of member events.
	Members MemberEvents
	// Remote may be nil (see RemoteProfiles).
	Remote RemoteProfiles
	Logger *slog.Logger
}

// Profiles is the profile API of the client-server API: reading anyone's
// profile, and changing local users' profiles with their member events.
// It is built after the room engine, which reads profiles through Service
// when users join. It is safe for concurrent use.
type Profiles struct {
	accounts *Service
	members  MemberEvents
	remote   RemoteProfiles
	log      *slog.Logger
}

// NewProfiles returns the profile API.
func NewProfiles(deps ProfilesDeps) *Profiles {
	return &Profiles{accounts: deps.Accounts, members: deps.Members, remote: deps.Remote, log: deps.Logger}
}

// Get returns a user's profile: local users' from the database, other
// servers' through Remote. Unknown users are M_NOT_FOUND.
func (p *Profiles) Get(ctx context.Context, user id.UserID) (*Profile, error) {
	if !p.accounts.IsLocal(user) {
		if p.remote == nil {
			return nil, errProfileNotFound
		}
		return p.remote.Profile(ctx, user)
	}
	return p.accounts.LocalProfile(ctx, user)
}

// Field returns the JSON value of one field of a user's profile; a field
// that is not set, like an unknown user, is M_NOT_FOUND.
func (p *Profiles) Field(ctx context.Context, user id.UserID, key string) (json.RawMessage, error) {
	if err := checkProfileKey(key); err != nil {
		return nil, err
	}
	prof, err := p.Get(ctx, user)
	if err != nil {
		return nil, err
	}
	v, ok := prof.Field(key)
	if !ok {
		return nil, mxerr.New(mxerr.NotFound, "%s has no %s", user, key)
	}
	return v, nil
}

// Set sets one field of a local user's profile from a request body, a JSON
// object holding the field under its key (M_MISSING_PARAM when it does
// not). Only the user themself and server admins may change a profile
// (M_FORBIDDEN otherwise). The field's value is checked as setField says,
// the key as checkProfileKey says, and the whole profile must stay within
// MaxProfileBytes (M_PROFILE_TOO_LARGE). A changed display name or avatar
// is then sent to the user's rooms in new join events; a room that fails
// is logged, and the change stands.
func (p *Profiles) Set(ctx context.Context, caller Principal, user id.UserID, key string, body []byte) error {
	if err := p.checkChange(caller, user, key); err != nil {
		return err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return mxerr.New(mxerr.BadJSON, "the body must be a JSON object")
	}
	v, ok := obj[key]
	if !ok {
		return mxerr.New(mxerr.MissingParam, "the body has no %s", key)
	}
	changed, err := p.accounts.changeProfile(ctx, user, func(prof *Profile) error {
		return setField(prof, key, v)
	})
	if err != nil {
		return err
	}
	p.updateMembers(ctx, user, changed)
	return nil
}

// Delete removes one field of a local user's profile, with the permission
// and member event rules of Set. Removing a field that is not set is no
// error.
func (p *Profiles) Delete(ctx context.Context, caller Principal, user id.UserID, key string) error {
	if err := p.checkChange(caller, user, key); err != nil {
		return err
	}
	changed, err := p.accounts.changeProfile(ctx, user, func(prof *Profile) error {
		deleteField(prof, key)
		return nil
	})
	if err != nil {
		return err
	}
	p.updateMembers(ctx, user, changed)
	return nil
}

func (p *Profiles) checkChange(caller Principal, user id.UserID, key string) error {
	if err := checkProfileKey(key); err != nil {
		return err
	}
	if caller.UserID != user && !caller.IsAdmin {
		return mxerr.New(mxerr.Forbidden, "you may only change your own profile")
	}
	if !p.accounts.IsLocal(user) {
		return mxerr.New(mxerr.Forbidden, "profiles of other servers' users cannot be changed here")
	}
	return nil
}

// updateMembers sends the new profile to the user's rooms. It runs to the
// end even if the client goes away: the profile is already changed.
func (p *Profiles) updateMembers(ctx context.Context, user id.UserID, changed bool) {
	if !changed || p.members == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if n, err := p.members.UpdateMemberProfile(ctx, user); err != nil {
		p.log.WarnContext(ctx, "send the new profile to the user's rooms", "user_id", user, "err", err)
	} else if n > 0 {
		p.log.DebugContext(ctx, "sent the new profile to the user's rooms", "user_id", user, "rooms", n)
	}
}

// SetProfile sets a local user's display name and avatar for an admin
// (the admin API's create-or-modify-user; admin.Profiles): nil leaves a
// field as it is, "" removes it. The values are checked as Set checks
// them, and a change reaches the user's rooms as with Set. The caller has
// checked the admin's rights; an unknown user is M_NOT_FOUND.
func (p *Profiles) SetProfile(ctx context.Context, user id.UserID, displayName, avatarURL *string) error {
	if !p.accounts.IsLocal(user) {
		return mxerr.New(mxerr.Forbidden, "profiles of other servers' users cannot be changed here")
	}
	changed, err := p.accounts.changeProfile(ctx, user, func(prof *Profile) error {
		if displayName != nil {
			if err := setField(prof, FieldDisplayName, jsonString(*displayName)); err != nil {
				return err
			}
		}
		if avatarURL != nil {
			return setField(prof, FieldAvatarURL, jsonString(*avatarURL))
		}
		return nil
	})
	if err != nil {
		return err
	}
	p.updateMembers(ctx, user, changed)
	return nil
}
