package adminapi

import (
	"context"
	"strconv"

	api "github.com/hearth-hs/hearth/gen/synapseadmin"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/admin"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// usersQuery reads the list parameters v2 and v3 share; deactivated is
// what each version makes of its own parameter.
func usersQuery(from *api.UsersFrom, limit *api.Limit, userID *api.UsersUserID, name *api.UsersName, guests *api.UsersGuests,
	admins *api.UsersAdmins, locked *api.UsersLocked, suspended *api.UsersSuspended, orderBy *string, dir *string,
	deactivated *bool) admin.UserQuery {
	q := admin.UserQuery{Guests: guests == nil || bool(*guests), Admins: (*bool)(admins), Deactivated: deactivated,
		Suspended: (*bool)(suspended), OrderBy: "name", Limit: limitOf(limit), Descending: deref(dir) == "b"}
	if from != nil {
		q.Offset, _ = strconv.Atoi(string(*from)) // the spec's pattern allows digits only
	}
	// Synapse: name (localpart or display name) wins over user_id.
	if name != nil && *name != "" {
		q.Search = string(*name)
	} else if userID != nil {
		q.Search = string(*userID)
	}
	if locked == nil || !bool(*locked) {
		q.Locked = new(false) // Synapse leaves locked users out unless asked
	}
	if orderBy != nil {
		q.OrderBy = *orderBy
	}
	return q
}

func userList(q admin.UserQuery, users []admin.User, total int64) api.UserList {
	out := api.UserList{Users: make([]api.UserListEntry, len(users)), Total: int(total)}
	for i, u := range users {
		out.Users[i] = userEntry(u)
	}
	if next := nextToken(q.Offset, len(users), total); next != nil {
		out.NextToken = new(strconv.Itoa(*next))
	}
	return out
}

// ListUsersV2 serves GET /_synapse/admin/v2/users.
func (s *Server) ListUsersV2(ctx context.Context, r api.ListUsersV2RequestObject) (api.ListUsersV2ResponseObject, error) {
	p := r.Params
	// v2: deactivated=true adds deactivated users to the others.
	var deactivated *bool
	if !deref(p.Deactivated) {
		deactivated = new(false)
	}
	q := usersQuery(p.From, p.Limit, p.UserId, p.Name, p.Guests, p.Admins, p.Locked, p.Suspended,
		(*string)(p.OrderBy), (*string)(p.Dir), deactivated)
	users, total, err := s.admin.Users(ctx, accounts.Caller(ctx), q)
	if err != nil {
		return nil, err
	}
	return api.ListUsersV2200JSONResponse{UserListJSONResponse: api.UserListJSONResponse(userList(q, users, total))}, nil
}

// ListUsersV3 serves GET /_synapse/admin/v3/users.
func (s *Server) ListUsersV3(ctx context.Context, r api.ListUsersV3RequestObject) (api.ListUsersV3ResponseObject, error) {
	p := r.Params
	// v3: deactivated filters both ways; absent keeps everyone.
	q := usersQuery(p.From, p.Limit, p.UserId, p.Name, p.Guests, p.Admins, p.Locked, p.Suspended,
		(*string)(p.OrderBy), (*string)(p.Dir), p.Deactivated)
	users, total, err := s.admin.Users(ctx, accounts.Caller(ctx), q)
	if err != nil {
		return nil, err
	}
	return api.ListUsersV3200JSONResponse{UserListJSONResponse: api.UserListJSONResponse(userList(q, users, total))}, nil
}

// GetUser serves GET /_synapse/admin/v2/users/{userId}.
func (s *Server) GetUser(ctx context.Context, r api.GetUserRequestObject) (api.GetUserResponseObject, error) {
	user, err := mxid.ParseUserID(string(r.UserId))
	if err != nil {
		return nil, err
	}
	u, err := s.admin.User(ctx, accounts.Caller(ctx), user)
	if err != nil {
		return nil, err
	}
	return api.GetUser200JSONResponse{UserJSONResponse: api.UserJSONResponse(userDetails(u))}, nil
}

// PutUser serves PUT /_synapse/admin/v2/users/{userId}.
func (s *Server) PutUser(ctx context.Context, r api.PutUserRequestObject) (api.PutUserResponseObject, error) {
	user, err := mxid.ParseUserID(string(r.UserId))
	if err != nil {
		return nil, err
	}
	b := r.Body
	u, created, err := s.admin.PutUser(ctx, accounts.Caller(ctx), user, admin.UserChange{
		Password: b.Password, LogoutDevices: b.LogoutDevices, DisplayName: b.Displayname, AvatarURL: b.AvatarUrl,
		Admin: b.Admin, Deactivated: b.Deactivated, Locked: b.Locked, UserType: b.UserType, SetUserType: b.UserType != nil,
	})
	if err != nil {
		return nil, err
	}
	if created {
		return api.PutUser201JSONResponse(userDetails(u)), nil
	}
	return api.PutUser200JSONResponse{UserJSONResponse: api.UserJSONResponse(userDetails(u))}, nil
}

// GetUserAdmin serves GET /_synapse/admin/v1/users/{userId}/admin.
func (s *Server) GetUserAdmin(ctx context.Context, r api.GetUserAdminRequestObject) (api.GetUserAdminResponseObject, error) {
	user, err := mxid.ParseUserID(string(r.UserId))
	if err != nil {
		return nil, err
	}
	isAdmin, err := s.admin.IsAdmin(ctx, accounts.Caller(ctx), user)
	if err != nil {
		return nil, err
	}
	return api.GetUserAdmin200JSONResponse{Admin: isAdmin}, nil
}

// SetUserAdmin serves PUT /_synapse/admin/v1/users/{userId}/admin.
func (s *Server) SetUserAdmin(ctx context.Context, r api.SetUserAdminRequestObject) (api.SetUserAdminResponseObject, error) {
	user, err := mxid.ParseUserID(string(r.UserId))
	if err != nil {
		return nil, err
	}
	if err := s.admin.SetAdmin(ctx, accounts.Caller(ctx), user, r.Body.Admin); err != nil {
		return nil, err
	}
	return api.SetUserAdmin200JSONResponse{EmptyJSONResponse: api.EmptyJSONResponse{}}, nil
}

// UsernameAvailable serves GET /_synapse/admin/v1/username_available.
func (s *Server) UsernameAvailable(ctx context.Context, r api.UsernameAvailableRequestObject) (api.UsernameAvailableResponseObject, error) {
	if err := s.admin.UsernameAvailable(ctx, accounts.Caller(ctx), r.Params.Username); err != nil {
		return nil, err
	}
	return api.UsernameAvailable200JSONResponse{Available: true}, nil
}

// DeactivateUser serves POST /_synapse/admin/v1/deactivate/{userId}.
func (s *Server) DeactivateUser(ctx context.Context, r api.DeactivateUserRequestObject) (api.DeactivateUserResponseObject, error) {
	user, err := mxid.ParseUserID(string(r.UserId))
	if err != nil {
		return nil, err
	}
	var erase bool
	if r.Body != nil {
		erase = deref(r.Body.Erase)
	}
	if err := s.admin.Deactivate(ctx, accounts.Caller(ctx), user, erase); err != nil {
		return nil, err
	}
	return api.DeactivateUser200JSONResponse{IdServerUnbindResult: "success"}, nil
}

// ResetPassword serves POST /_synapse/admin/v1/reset_password/{userId}.
func (s *Server) ResetPassword(ctx context.Context, r api.ResetPasswordRequestObject) (api.ResetPasswordResponseObject, error) {
	user, err := mxid.ParseUserID(string(r.UserId))
	if err != nil {
		return nil, err
	}
	keep := r.Body.LogoutDevices != nil && !*r.Body.LogoutDevices
	if err := s.admin.ResetPassword(ctx, accounts.Caller(ctx), user, r.Body.NewPassword, keep); err != nil {
		return nil, err
	}
	return api.ResetPassword200JSONResponse{EmptyJSONResponse: api.EmptyJSONResponse{}}, nil
}

// WhoisUser serves GET /_synapse/admin/v1/whois/{userId}.
func (s *Server) WhoisUser(ctx context.Context, r api.WhoisUserRequestObject) (api.WhoisUserResponseObject, error) {
	user, err := mxid.ParseUserID(string(r.UserId))
	if err != nil {
		return nil, err
	}
	devs, err := s.admin.Whois(ctx, accounts.Caller(ctx), user)
	if err != nil {
		return nil, err
	}
	out := api.WhoisUser200JSONResponse{UserId: string(user), Devices: make(map[string]api.Whois_Devices, len(devs))}
	for dev, conns := range devs {
		session := api.Whois_Devices_Sessions{Connections: make([]api.Whois_Devices_Sessions_Connections, len(conns))}
		for i, c := range conns {
			session.Connections[i] = api.Whois_Devices_Sessions_Connections{Ip: c.IP, LastSeen: ms(c.LastSeen), UserAgent: c.UserAgent}
		}
		out.Devices[string(dev)] = api.Whois_Devices{Sessions: []api.Whois_Devices_Sessions{session}}
	}
	return out, nil
}

// ListUserJoinedRooms serves GET /_synapse/admin/v1/users/{userId}/joined_rooms.
func (s *Server) ListUserJoinedRooms(ctx context.Context, r api.ListUserJoinedRoomsRequestObject) (api.ListUserJoinedRoomsResponseObject, error) {
	user, err := mxid.ParseUserID(string(r.UserId))
	if err != nil {
		return nil, err
	}
	rooms, err := s.admin.JoinedRooms(ctx, accounts.Caller(ctx), user)
	if err != nil {
		return nil, err
	}
	out := api.ListUserJoinedRooms200JSONResponse{JoinedRooms: make([]string, len(rooms)), Total: len(rooms)}
	for i, room := range rooms {
		out.JoinedRooms[i] = string(room)
	}
	return out, nil
}
