package adminapi

import (
	"time"

	api "github.com/hearth-hs/hearth/gen/synapseadmin"
	"github.com/hearth-hs/hearth/impl/admin"
)

// Defaults of Synapse's list parameters (the validator does not fill them
// in).
const defaultLimit = 100

func limitOf(l *api.Limit) int {
	if l == nil {
		return defaultLimit
	}
	return int(*l)
}

// nextToken is the offset of the next page when there is one.
func nextToken(offset, got int, total int64) *int {
	if next := offset + got; got > 0 && int64(next) < total {
		return &next
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func msPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := t.UnixMilli()
	return &v
}

func strPtr[S ~string](s S) *string {
	if s == "" {
		return nil
	}
	v := string(s)
	return &v
}

func userEntry(u admin.User) api.UserListEntry {
	return api.UserListEntry{
		Name: string(u.UserID), IsGuest: u.IsGuest, Admin: u.IsAdmin, UserType: u.UserType, Deactivated: u.Deactivated(),
		Erased: u.Erased, Locked: u.Locked, Suspended: u.Suspended, Approved: true,
		CreationTs: ms(u.CreatedAt), LastSeenTs: msPtr(u.LastSeen),
	}
}

func userDetails(u admin.User) api.User {
	return api.User{
		Name: string(u.UserID), Threepids: []api.User_Threepids{}, ExternalIds: []api.User_ExternalIds{},
		IsGuest: u.IsGuest, Admin: u.IsAdmin, Deactivated: u.Deactivated(), Erased: u.Erased, Locked: u.Locked,
		Suspended: u.Suspended, Approved: true, CreationTs: ms(u.CreatedAt), LastSeenTs: msPtr(u.LastSeen), UserType: u.UserType,
	}
}

func roomEntry(r admin.Room) api.Room {
	return api.Room{
		RoomId: string(r.ID), Name: r.Name, CanonicalAlias: r.CanonicalAlias, JoinedMembers: r.JoinedMembers,
		JoinedLocalMembers: r.JoinedLocalMembers, Version: string(r.Version), Creator: string(r.Creator),
		Encryption: r.Encryption, Federatable: r.Federatable, Public: r.Public, JoinRules: r.JoinRules,
		GuestAccess: r.GuestAccess, HistoryVisibility: r.HistoryVisibility, StateEvents: r.StateEvents, RoomType: r.RoomType,
	}
}

func shutdownResult(r admin.Shutdown) api.ShutdownResult {
	out := api.ShutdownResult{KickedUsers: make([]string, len(r.KickedUsers)), FailedToKickUsers: make([]string, len(r.FailedToKickUsers)),
		LocalAliases: make([]string, len(r.LocalAliases))}
	for i, u := range r.KickedUsers {
		out.KickedUsers[i] = string(u)
	}
	for i, u := range r.FailedToKickUsers {
		out.FailedToKickUsers[i] = string(u)
	}
	for i, a := range r.LocalAliases {
		out.LocalAliases[i] = string(a)
	}
	if r.NewRoomID != nil {
		out.NewRoomId = strPtr(*r.NewRoomID)
	}
	return out
}

func deleteStatus(d admin.Deletion) api.DeleteStatus {
	out := api.DeleteStatus{DeleteId: d.ID, RoomId: string(d.Room), Status: api.DeleteStatusStatus(d.Status),
		ShutdownRoom: shutdownResult(d.Shutdown)}
	if d.Error != "" {
		out.Error = &d.Error
	}
	return out
}
