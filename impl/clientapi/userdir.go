package clientapi

import (
	"context"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
)

// SearchUserDirectory serves POST /_matrix/client/v3/user_directory/search.
func (s *Server) SearchUserDirectory(ctx context.Context, r api.SearchUserDirectoryRequestObject) (api.SearchUserDirectoryResponseObject, error) {
	found, err := s.users.SearchUsers(ctx, accounts.Caller(ctx).UserID, r.Body.SearchTerm, r.Body.Limit)
	if err != nil {
		return nil, err
	}
	resp := api.SearchUserDirectory200JSONResponse{Limited: found.Limited,
		Results: make([]api.SearchUserDirectory200JSONResponseBody_Results, len(found.Users))}
	for i, u := range found.Users {
		resp.Results[i] = api.SearchUserDirectory200JSONResponseBody_Results{
			UserId: string(u.UserID), DisplayName: optional(u.DisplayName), AvatarUrl: optional(u.AvatarURL),
		}
	}
	return resp, nil
}
