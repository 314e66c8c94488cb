package clientapi

import (
	"context"

	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/e2ee"
	"github.com/hearth-hs/hearth/impl/mxid"
)

func backupKeyOut(k e2ee.BackupKey) api.KeyBackupData {
	return api.KeyBackupData{
		FirstMessageIndex: k.FirstMessageIndex, ForwardedCount: k.ForwardedCount,
		IsVerified: k.IsVerified, SessionData: k.SessionData,
	}
}

func backupKeyIn(room id.RoomID, session string, k api.KeyBackupData) e2ee.BackupKey {
	return e2ee.BackupKey{
		Room: room, Session: id.SessionID(session), FirstMessageIndex: k.FirstMessageIndex,
		ForwardedCount: k.ForwardedCount, IsVerified: k.IsVerified, SessionData: k.SessionData,
	}
}

func roomKeysIn(room id.RoomID, b api.RoomKeyBackup) []e2ee.BackupKey {
	out := make([]e2ee.BackupKey, 0, len(b.Sessions))
	for session, k := range b.Sessions {
		out = append(out, backupKeyIn(room, session, k))
	}
	return out
}

// PostRoomKeysVersion serves POST /_matrix/client/v3/room_keys/version.
func (s *Server) PostRoomKeysVersion(ctx context.Context, r api.PostRoomKeysVersionRequestObject) (api.PostRoomKeysVersionResponseObject, error) {
	v, err := s.keys.CreateBackup(ctx, accounts.Caller(ctx).UserID, string(r.Body.Algorithm), r.Body.AuthData)
	if err != nil {
		return nil, err
	}
	return api.PostRoomKeysVersion200JSONResponse{Version: v}, nil
}

// GetRoomKeysVersionCurrent serves GET /_matrix/client/v3/room_keys/version.
func (s *Server) GetRoomKeysVersionCurrent(ctx context.Context, _ api.GetRoomKeysVersionCurrentRequestObject) (api.GetRoomKeysVersionCurrentResponseObject, error) {
	b, err := s.keys.Backup(ctx, accounts.Caller(ctx).UserID, "")
	if err != nil {
		return nil, err
	}
	return api.GetRoomKeysVersionCurrent200JSONResponse{
		Version: b.Version, Algorithm: api.GetRoomKeysVersionCurrent200JSONResponseBodyAlgorithm(b.Algorithm),
		AuthData: b.AuthData, Etag: b.Etag, Count: b.Count,
	}, nil
}

// GetRoomKeysVersion serves GET /_matrix/client/v3/room_keys/version/{version}.
func (s *Server) GetRoomKeysVersion(ctx context.Context, r api.GetRoomKeysVersionRequestObject) (api.GetRoomKeysVersionResponseObject, error) {
	b, err := s.keys.Backup(ctx, accounts.Caller(ctx).UserID, r.Version)
	if err != nil {
		return nil, err
	}
	return api.GetRoomKeysVersion200JSONResponse{
		Version: b.Version, Algorithm: api.GetRoomKeysVersion200JSONResponseBodyAlgorithm(b.Algorithm),
		AuthData: b.AuthData, Etag: b.Etag, Count: b.Count,
	}, nil
}

// PutRoomKeysVersion serves PUT /_matrix/client/v3/room_keys/version/{version}.
func (s *Server) PutRoomKeysVersion(ctx context.Context, r api.PutRoomKeysVersionRequestObject) (api.PutRoomKeysVersionResponseObject, error) {
	err := s.keys.UpdateBackup(ctx, accounts.Caller(ctx).UserID, r.Version, r.Body.Version, string(r.Body.Algorithm), r.Body.AuthData)
	if err != nil {
		return nil, err
	}
	return api.PutRoomKeysVersion200JSONResponse{}, nil
}

// DeleteRoomKeysVersion serves DELETE /_matrix/client/v3/room_keys/version/{version}.
func (s *Server) DeleteRoomKeysVersion(ctx context.Context, r api.DeleteRoomKeysVersionRequestObject) (api.DeleteRoomKeysVersionResponseObject, error) {
	if err := s.keys.DeleteBackup(ctx, accounts.Caller(ctx).UserID, r.Version); err != nil {
		return nil, err
	}
	return api.DeleteRoomKeysVersion200JSONResponse{}, nil
}

// PutRoomKeys serves PUT /_matrix/client/v3/room_keys/keys.
func (s *Server) PutRoomKeys(ctx context.Context, r api.PutRoomKeysRequestObject) (api.PutRoomKeysResponseObject, error) {
	var keys []e2ee.BackupKey
	for room, b := range r.Body.Rooms {
		roomID, err := mxid.ParseRoomID(room)
		if err != nil {
			return nil, err
		}
		keys = append(keys, roomKeysIn(roomID, b)...)
	}
	c, err := s.keys.PutBackupKeys(ctx, accounts.Caller(ctx).UserID, r.Params.Version, keys)
	if err != nil {
		return nil, err
	}
	return api.PutRoomKeys200JSONResponse{Etag: c.Etag, Count: c.Count}, nil
}

// PutRoomKeysByRoomId serves PUT /_matrix/client/v3/room_keys/keys/{roomId}.
func (s *Server) PutRoomKeysByRoomId(ctx context.Context, r api.PutRoomKeysByRoomIdRequestObject) (api.PutRoomKeysByRoomIdResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	c, err := s.keys.PutBackupKeys(ctx, accounts.Caller(ctx).UserID, r.Params.Version, roomKeysIn(room, *r.Body))
	if err != nil {
		return nil, err
	}
	return api.PutRoomKeysByRoomId200JSONResponse{Etag: c.Etag, Count: c.Count}, nil
}

// PutRoomKeyBySessionId serves PUT /_matrix/client/v3/room_keys/keys/{roomId}/{sessionId}.
func (s *Server) PutRoomKeyBySessionId(ctx context.Context, r api.PutRoomKeyBySessionIdRequestObject) (api.PutRoomKeyBySessionIdResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	keys := []e2ee.BackupKey{backupKeyIn(room, r.SessionId, *r.Body)}
	c, err := s.keys.PutBackupKeys(ctx, accounts.Caller(ctx).UserID, r.Params.Version, keys)
	if err != nil {
		return nil, err
	}
	return api.PutRoomKeyBySessionId200JSONResponse{Etag: c.Etag, Count: c.Count}, nil
}

// GetRoomKeys serves GET /_matrix/client/v3/room_keys/keys.
func (s *Server) GetRoomKeys(ctx context.Context, r api.GetRoomKeysRequestObject) (api.GetRoomKeysResponseObject, error) {
	keys, err := s.keys.BackupKeys(ctx, accounts.Caller(ctx).UserID, r.Params.Version, "", "")
	if err != nil {
		return nil, err
	}
	rooms := map[string]api.RoomKeyBackup{}
	for _, k := range keys {
		b, ok := rooms[string(k.Room)]
		if !ok {
			b = api.RoomKeyBackup{Sessions: map[string]api.KeyBackupData{}}
			rooms[string(k.Room)] = b
		}
		b.Sessions[string(k.Session)] = backupKeyOut(k)
	}
	return api.GetRoomKeys200JSONResponse{Rooms: rooms}, nil
}

// GetRoomKeysByRoomId serves GET /_matrix/client/v3/room_keys/keys/{roomId}.
func (s *Server) GetRoomKeysByRoomId(ctx context.Context, r api.GetRoomKeysByRoomIdRequestObject) (api.GetRoomKeysByRoomIdResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	keys, err := s.keys.BackupKeys(ctx, accounts.Caller(ctx).UserID, r.Params.Version, room, "")
	if err != nil {
		return nil, err
	}
	sessions := make(map[string]api.KeyBackupData, len(keys))
	for _, k := range keys {
		sessions[string(k.Session)] = backupKeyOut(k)
	}
	return api.GetRoomKeysByRoomId200JSONResponse{Sessions: sessions}, nil
}

// GetRoomKeyBySessionId serves GET /_matrix/client/v3/room_keys/keys/{roomId}/{sessionId}.
func (s *Server) GetRoomKeyBySessionId(ctx context.Context, r api.GetRoomKeyBySessionIdRequestObject) (api.GetRoomKeyBySessionIdResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	keys, err := s.keys.BackupKeys(ctx, accounts.Caller(ctx).UserID, r.Params.Version, room, id.SessionID(r.SessionId))
	if err != nil {
		return nil, err
	}
	return api.GetRoomKeyBySessionId200JSONResponse(backupKeyOut(keys[0])), nil
}

// DeleteRoomKeys serves DELETE /_matrix/client/v3/room_keys/keys.
func (s *Server) DeleteRoomKeys(ctx context.Context, r api.DeleteRoomKeysRequestObject) (api.DeleteRoomKeysResponseObject, error) {
	c, err := s.keys.DeleteBackupKeys(ctx, accounts.Caller(ctx).UserID, r.Params.Version, "", "")
	if err != nil {
		return nil, err
	}
	return api.DeleteRoomKeys200JSONResponse{Etag: c.Etag, Count: c.Count}, nil
}

// DeleteRoomKeysByRoomId serves DELETE /_matrix/client/v3/room_keys/keys/{roomId}.
func (s *Server) DeleteRoomKeysByRoomId(ctx context.Context, r api.DeleteRoomKeysByRoomIdRequestObject) (api.DeleteRoomKeysByRoomIdResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	c, err := s.keys.DeleteBackupKeys(ctx, accounts.Caller(ctx).UserID, r.Params.Version, room, "")
	if err != nil {
		return nil, err
	}
	return api.DeleteRoomKeysByRoomId200JSONResponse{Etag: c.Etag, Count: c.Count}, nil
}

// DeleteRoomKeyBySessionId serves DELETE /_matrix/client/v3/room_keys/keys/{roomId}/{sessionId}.
func (s *Server) DeleteRoomKeyBySessionId(ctx context.Context, r api.DeleteRoomKeyBySessionIdRequestObject) (api.DeleteRoomKeyBySessionIdResponseObject, error) {
	room, err := mxid.ParseRoomID(r.RoomId)
	if err != nil {
		return nil, err
	}
	c, err := s.keys.DeleteBackupKeys(ctx, accounts.Caller(ctx).UserID, r.Params.Version, room, id.SessionID(r.SessionId))
	if err != nil {
		return nil, err
	}
	return api.DeleteRoomKeyBySessionId200JSONResponse{Etag: c.Etag, Count: c.Count}, nil
}
