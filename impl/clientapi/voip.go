package clientapi

import (
	"context"
	"net/http"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
)

// noTURNServer is the answer when no TURN server is configured: an empty
// object, as Synapse answers (the spec's schema has no way to say "none").
type noTURNServer struct{}

func (noTURNServer) VisitGetTurnServerResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write([]byte("{}"))
	return err
}

// GetTurnServer serves GET /_matrix/client/v3/voip/turnServer.
func (s *Server) GetTurnServer(ctx context.Context, _ api.GetTurnServerRequestObject) (api.GetTurnServerResponseObject, error) {
	who := accounts.Caller(ctx)
	c, ok, err := s.turn.Credentials(who.UserID, who.IsGuest)
	if err != nil {
		return nil, err
	}
	if !ok {
		return noTURNServer{}, nil
	}
	return api.GetTurnServer200JSONResponse{Username: c.Username, Password: c.Password, Uris: c.URIs, Ttl: int(c.TTL.Seconds())}, nil
}
