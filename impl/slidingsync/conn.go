package slidingsync

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/stream"
)

// errUnknownPos tells the client to start its connection again.
var errUnknownPos = mxerr.New(mxerr.UnknownPos, "unknown or expired pos: start the connection again")

// sentRoom is what a connection sent of a room.
type sentRoom struct {
	RoomID        string     `json:"room_id"`
	SentPos       stream.Pos `json:"sent_pos"`
	TimelineLimit int        `json:"timeline_limit"`
	ConfigKey     string     `json:"config_key"`
	// Stripped is set when the room was sent as stripped state only.
	Stripped bool `json:"stripped,omitempty"`
}

// conn is a connection's state for one request.
type conn struct {
	nid int64
	// since is the stream position the client has everything up to (0 for
	// a new connection).
	since stream.Pos
	rooms map[string]sentRoom
}

// formatPos makes a pos: the stream position, which /messages reads like a
// /sync token, and the connection's response. Only the response counts when
// the pos comes back: its stream position is read from the database.
func formatPos(p stream.Pos, posNID int64) string {
	return p.Token() + "_" + strconv.FormatInt(posNID, 10)
}

// parsePos reads the response a pos names.
func parsePos(s string) (int64, error) {
	_, nid, ok := strings.Cut(s, "_")
	n, err := strconv.ParseInt(nid, 10, 64)
	if !ok || err != nil || n <= 0 {
		return 0, errUnknownPos
	}
	return n, nil
}

// open loads the connection of the request: for a new connection (no pos)
// it starts from nothing; with a pos it confirms that response, which must
// have been issued on this connection (so to this user and device), which
// must not have expired.
func (s *Service) open(ctx context.Context, r *Request) (*conn, error) {
	c := &conn{rooms: map[string]sentRoom{}}
	// In a pipeline: BEGIN goes with the connection's row, the
	// confirmation's writes with the read of the rooms sent.
	err := pg.InPipelineTx(ctx, s.d.Pool, func(tx *pg.Pipeline) error {
		err := s.q.SlidingConnExpire(ctx, tx, db.SlidingConnExpireParams{
			UserID: r.User, DeviceID: r.Device, ConnID: r.ConnID, Before: time.Now().Add(-s.cfg.ConnectionLifetime),
		})
		if err != nil {
			return fmt.Errorf("expire sliding connection: %w", err)
		}
		row, err := s.q.SlidingConnInsert(ctx, tx, db.SlidingConnInsertParams{UserID: r.User, DeviceID: r.Device, ConnID: r.ConnID})
		if err != nil {
			return fmt.Errorf("open sliding connection: %w", err)
		}
		c.nid = row.ConnNid
		if r.Pos == "" {
			if err := s.q.SlidingRoomsClear(ctx, tx, c.nid); err != nil {
				return fmt.Errorf("reset sliding connection: %w", err)
			}
			if err := s.q.SlidingPositionsClear(ctx, tx, c.nid); err != nil {
				return fmt.Errorf("reset sliding connection: %w", err)
			}
			return s.q.SlidingConfirmed(ctx, tx, db.SlidingConfirmedParams{ConnNid: c.nid})
		}
		posNID, err := parsePos(r.Pos)
		if err != nil {
			return err
		}
		c.since = stream.Pos(row.ConfirmedStreamPos)
		if posNID != row.ConfirmedPos {
			pos, err := s.q.SlidingPosGet(ctx, tx, posNID)
			if pg.IsNoRows(err) || (err == nil && pos.ConnNid != c.nid) {
				return errUnknownPos
			}
			if err != nil {
				return fmt.Errorf("read pos: %w", err)
			}
			if err := s.confirm(ctx, tx, c.nid, pos); err != nil {
				return err
			}
			c.since = stream.Pos(pos.StreamPos)
		}
		rows, err := s.q.SlidingRooms(ctx, tx, c.nid)
		if err != nil {
			return fmt.Errorf("read sent rooms: %w", err)
		}
		for _, r := range rows {
			c.rooms[r.RoomID] = sentRoom{RoomID: r.RoomID, SentPos: stream.Pos(r.SentPos), TimelineLimit: int(r.TimelineLimit),
				ConfigKey: r.ConfigKey, Stripped: r.Stripped}
		}
		return nil
	})
	return c, err
}

// confirm makes a response's changes the connection's state: the client
// sent its pos, so it has them. The connection's other unconfirmed
// responses are dropped.
func (s *Service) confirm(ctx context.Context, tx db.DBTX, connNID int64, pos db.SlidingPosition) error {
	var sent []sentRoom
	if err := json.Unmarshal(pos.Delta, &sent); err != nil {
		return fmt.Errorf("read pos %d: %w", pos.PosNid, err)
	}
	p := db.SlidingRoomsUpsertParams{ConnNid: connNID}
	for _, r := range sent {
		p.RoomIds = append(p.RoomIds, r.RoomID)
		p.SentPos = append(p.SentPos, int64(r.SentPos))
		p.TimelineLimit = append(p.TimelineLimit, int32(r.TimelineLimit))
		p.ConfigKey = append(p.ConfigKey, r.ConfigKey)
		p.Stripped = append(p.Stripped, r.Stripped)
	}
	if err := s.q.SlidingRoomsUpsert(ctx, tx, p); err != nil {
		return fmt.Errorf("confirm pos %d: %w", pos.PosNid, err)
	}
	if err := s.q.SlidingPositionsClear(ctx, tx, connNID); err != nil {
		return fmt.Errorf("confirm pos %d: %w", pos.PosNid, err)
	}
	err := s.q.SlidingConfirmed(ctx, tx, db.SlidingConfirmedParams{PosNid: pos.PosNid, StreamPos: pos.StreamPos, ConnNid: connNID})
	if err != nil {
		return fmt.Errorf("confirm pos %d: %w", pos.PosNid, err)
	}
	return nil
}

// record stores a response's changes, to be confirmed by its pos, and
// returns that pos.
func (s *Service) record(ctx context.Context, c *conn, upto stream.Pos, sent []sentRoom) (string, error) {
	if sent == nil {
		sent = []sentRoom{}
	}
	delta, err := json.Marshal(sent)
	if err != nil {
		return "", err
	}
	n, err := s.q.SlidingPosInsert(ctx, s.d.Pool, db.SlidingPosInsertParams{ConnNid: c.nid, StreamPos: int64(upto), Delta: delta})
	if err != nil {
		return "", fmt.Errorf("record pos: %w", err)
	}
	return formatPos(upto, n), nil
}
