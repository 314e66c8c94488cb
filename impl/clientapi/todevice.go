package clientapi

import (
	"context"
	"encoding/json"

	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/e2ee"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// SendToDevice serves PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId}.
func (s *Server) SendToDevice(ctx context.Context, r api.SendToDeviceRequestObject) (api.SendToDeviceResponseObject, error) {
	who := accounts.Caller(ctx)
	msgs := make(map[id.UserID]map[string]json.RawMessage, len(r.Body.Messages))
	for u, byDevice := range r.Body.Messages {
		user, err := mxid.ParseUserID(u)
		if err != nil {
			return nil, err
		}
		msgs[user] = byDevice
	}
	err := s.keys.SendToDevice(ctx, e2ee.ToDeviceParams{
		Sender: who.UserID, SenderDevice: who.DeviceID, Type: r.EventType, TxnID: r.TxnId, Messages: msgs,
	})
	if err != nil {
		return nil, err
	}
	return api.SendToDevice200JSONResponse{}, nil
}
