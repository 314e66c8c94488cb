package httpserver

import (
	"slices"

	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
)

// adminRole is the role an operation's security requirement names when
// only server admins may call it: `security: [{accessTokenBearer:
// [server_admin]}]` (OpenAPI 3.1 lets http schemes list roles). The admin
// API's definition (spec/hearth/synapse-admin.yaml) marks its operations so.
const adminRole = "server_admin"

// lockedAllowed are the operations a locked account may still call (v1.19
// client-server, "Account locking"): logging out, so that a client can
// leave cleanly. Everything else answers 401 M_USER_LOCKED with
// soft_logout, so that clients keep their session for when the lock is
// lifted.
var lockedAllowed = map[string]bool{"logout": true, "logout_all": true}

// suspendedForbidden are the operations a suspended account may not call
// (v1.19 client-server, "Account suspension"): what makes something new
// others see — rooms, events, memberships that bring someone in or push
// them out, profile changes, uploads, aliases and directory entries.
// Reading, syncing, leaving rooms, redacting, keys, backups, devices,
// logging out and deactivating stay allowed, as the spec asks.
var suspendedForbidden = map[string]bool{
	"createRoom": true, "upgradeRoom": true,
	"sendMessage": true, "setRoomStateWithKey": true,
	"joinRoom": true, "joinRoomById": true, "knockRoom": true, "inviteUser": true,
	"kick": true, "ban": true, "unban": true,
	"setProfileField": true, "deleteProfileField": true,
	"uploadContent": true, "uploadContentToMXC": true, "createContent": true,
	"setRoomAlias": true, "deleteRoomAlias": true, "setRoomVisibilityOnDirectory": true,
}

var (
	errUserLocked    = mxerr.New(mxerr.UserLocked, "this account has been locked").With("soft_logout", true)
	errUserSuspended = mxerr.New(mxerr.UserSuspended, "this account is suspended and cannot do this")
	errNotAdmin      = mxerr.New(mxerr.Forbidden, "only server admins may do this")
)

// moderate applies what the caller's account state forbids for op.
func moderate(op *operation, p accounts.Principal) error {
	switch {
	case p.IsLocked && !lockedAllowed[op.id]:
		return errUserLocked
	case op.admin && !p.IsAdmin:
		return errNotAdmin
	case p.IsSuspended && suspendedForbidden[op.id]:
		return errUserSuspended
	}
	return nil
}

// needsAdmin tells whether a security requirement's scopes name the
// server admin role.
func needsAdmin(scopes []string) bool { return slices.Contains(scopes, adminRole) }
