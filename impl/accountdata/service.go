package accountdata

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/stream"
)

// Deps are what account data needs.
type Deps struct {
	Pool   *pgxpool.Pool
	Logger *slog.Logger
}

// Service stores account data. It is safe for concurrent use, by several
// hearth processes sharing a database too.
type Service struct {
	pool *pgxpool.Pool
	q    *db.Queries
	log  *slog.Logger
}

// New returns the account data service.
func New(deps Deps) *Service {
	return &Service{pool: deps.Pool, q: db.New(), log: deps.Logger}
}

// global is the room ID of global account data in the table.
const global = ""

// managed are the types the server sets itself: v1.19 client-server,
// "Client Config", server behaviour: clients may not set them.
var managed = map[string]bool{"m.fully_read": true, "m.push_rules": true}

// SetGlobal stores a user's global account data of a type. content must be
// a JSON object (M_BAD_JSON); the types the server manages are refused
// with 405 M_BAD_JSON.
func (s *Service) SetGlobal(ctx context.Context, user id.UserID, typ string, content []byte) error {
	return s.set(ctx, user, global, typ, content)
}

// SetRoom stores a user's account data of a type for a room, as SetGlobal.
// The room need not be known: clients may keep data on rooms they are not
// in yet.
func (s *Service) SetRoom(ctx context.Context, user id.UserID, room id.RoomID, typ string, content []byte) error {
	return s.set(ctx, user, string(room), typ, content)
}

func (s *Service) set(ctx context.Context, user id.UserID, room, typ string, content []byte) error {
	if managed[typ] {
		return mxerr.New(mxerr.BadJSON, "cannot set %s through this API", typ).WithStatus(405)
	}
	if typ == "" {
		return mxerr.New(mxerr.InvalidParam, "account data needs a type")
	}
	if !gjson.ValidBytes(content) || !gjson.ParseBytes(content).IsObject() {
		return mxerr.New(mxerr.BadJSON, "content must be a JSON object")
	}
	// One round trip: the pipeline sends BEGIN, the position, the write,
	// the notification and COMMIT together.
	return pg.InPipelineTx(ctx, s.pool, func(q *pg.Pipeline) error {
		if err := stream.AdvanceTx(ctx, q); err != nil {
			return err
		}
		if err := s.putTx(ctx, q, user, room, typ, content); err != nil {
			return err
		}
		return stream.NotifyCurrentTx(ctx, q, "", []id.UserID{user})
	})
}

// SetRoomTx stores account data the server manages (the read marker
// m.fully_read) in the caller's transaction. The caller has taken the
// stream position (stream.AdvanceTx) and announces the change to the user.
func (s *Service) SetRoomTx(ctx context.Context, q db.DBTX, user id.UserID, room id.RoomID, typ string, content []byte) error {
	return s.putTx(ctx, q, user, string(room), typ, content)
}

// SetGlobalTx stores global account data the server manages (the push
// rules, m.push_rules) in the caller's transaction. The caller has taken
// the stream position (stream.AdvanceTx) and announces the change to the
// user.
func (s *Service) SetGlobalTx(ctx context.Context, q db.DBTX, user id.UserID, typ string, content []byte) error {
	return s.putTx(ctx, q, user, global, typ, content)
}

func (s *Service) putTx(ctx context.Context, q db.DBTX, user id.UserID, room, typ string, content []byte) error {
	err := s.q.AccountDataPut(ctx, q, db.AccountDataPutParams{UserID: user, RoomID: room, Type: typ, Content: content})
	if err != nil {
		return fmt.Errorf("store account data %s of %s: %w", typ, user, err)
	}
	return nil
}

// Global returns a user's global account data of a type, or M_NOT_FOUND.
func (s *Service) Global(ctx context.Context, user id.UserID, typ string) ([]byte, error) {
	return s.get(ctx, user, global, typ)
}

// Room returns a user's account data of a type for a room, or M_NOT_FOUND.
func (s *Service) Room(ctx context.Context, user id.UserID, room id.RoomID, typ string) ([]byte, error) {
	return s.get(ctx, user, string(room), typ)
}

func (s *Service) get(ctx context.Context, user id.UserID, room, typ string) ([]byte, error) {
	content, err := s.q.AccountDataGet(ctx, s.pool, db.AccountDataGetParams{UserID: user, RoomID: room, Type: typ})
	if pg.IsNoRows(err) {
		return nil, mxerr.New(mxerr.NotFound, "no account data of type %s", typ)
	}
	if err != nil {
		return nil, fmt.Errorf("read account data %s of %s: %w", typ, user, err)
	}
	return content, nil
}

// GlobalAccountData returns the user's global account data events that
// changed in (since, upto], or all of them up to upto when since is zero;
// it is impl/syncer's AccountData provider.
func (s *Service) GlobalAccountData(ctx context.Context, user id.UserID, since, upto stream.Pos) ([]json.RawMessage, error) {
	rows, err := s.q.AccountDataGlobalSince(ctx, s.pool, db.AccountDataGlobalSinceParams{UserID: user, Since: int64(since), Upto: int64(upto)})
	if err != nil {
		return nil, fmt.Errorf("read account data of %s: %w", user, err)
	}
	out := make([]json.RawMessage, len(rows))
	for i, r := range rows {
		out[i] = Event(r.Type, r.Content)
	}
	return out, nil
}

// RoomAccountData returns, per room, the user's account data events of
// rooms that changed in (since, upto] (all of them when since is zero).
func (s *Service) RoomAccountData(ctx context.Context, user id.UserID, rooms []id.RoomID, since, upto stream.Pos) (map[id.RoomID][]json.RawMessage, error) {
	out := map[id.RoomID][]json.RawMessage{}
	if len(rooms) == 0 {
		return out, nil
	}
	ids := make([]string, len(rooms))
	for i, r := range rooms {
		ids[i] = string(r)
	}
	rows, err := s.q.AccountDataRoomsSince(ctx, s.pool, db.AccountDataRoomsSinceParams{UserID: user, RoomIds: ids, Since: int64(since), Upto: int64(upto)})
	if err != nil {
		return nil, fmt.Errorf("read room account data of %s: %w", user, err)
	}
	for _, r := range rows {
		room := id.RoomID(r.RoomID)
		out[room] = append(out[room], Event(r.Type, r.Content))
	}
	return out, nil
}

// Event is an account data event as /sync carries it: {"type", "content"}
// around the stored bytes.
func Event(typ string, content []byte) json.RawMessage {
	t, _ := json.Marshal(typ)
	b := make([]byte, 0, len(t)+len(content)+24)
	b = append(b, `{"type":`...)
	b = append(b, t...)
	b = append(b, `,"content":`...)
	b = append(b, content...)
	return append(b, '}')
}
