package stream

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"
)

// channel is the LISTEN/NOTIFY channel of stream changes.
const channel = "hearth_stream"

// Change is what a committed transaction announces: where it is in the
// stream and whom it concerns.
type Change struct {
	Pos Pos `json:"p"`
	// Room is set for changes to a room (events, memberships, receipts,
	// typing): every member may care.
	Room id.RoomID `json:"r,omitempty"`
	// Rooms are set for a change that concerns the members of several rooms
	// (a user's presence).
	Rooms []id.RoomID `json:"rs,omitempty"`
	// Users are further users the change is for (an invite, account data,
	// to-device messages, presence and device lists of contacts).
	Users []id.UserID `json:"u,omitempty"`
}

// NotifyCurrentTx announces a change at the transaction's current position
// (AdvanceTx) to every hearth process once it commits (never if it rolls
// back).
func NotifyCurrentTx(ctx context.Context, q db.DBTX, room id.RoomID, users []id.UserID) error {
	u := make([]string, len(users))
	for i, user := range users {
		u[i] = string(user)
	}
	if err := queries.StreamNotifyCurrent(ctx, q, db.StreamNotifyCurrentParams{RoomID: string(room), Users: u}); err != nil {
		return fmt.Errorf("notify stream change: %w", err)
	}
	return nil
}

// NotifyCurrentRoomsTx is NotifyCurrentTx for a change that concerns the
// members of several rooms. Keep the lists short: PostgreSQL caps a
// notification at 8000 bytes, so announce a long list in several calls.
func NotifyCurrentRoomsTx(ctx context.Context, q db.DBTX, rooms []id.RoomID, users []id.UserID) error {
	r := make([]string, len(rooms))
	for i, room := range rooms {
		r[i] = string(room)
	}
	u := make([]string, len(users))
	for i, user := range users {
		u[i] = string(user)
	}
	if err := queries.StreamNotifyCurrentRooms(ctx, q, db.StreamNotifyCurrentRoomsParams{RoomIds: r, Users: u}); err != nil {
		return fmt.Errorf("notify stream change: %w", err)
	}
	return nil
}

// NotifyTx announces c to every hearth process once tx commits (and never,
// if it rolls back).
func NotifyTx(ctx context.Context, tx pgx.Tx, c Change) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode stream change: %w", err)
	}
	if err := queries.StreamNotify(ctx, tx, string(b)); err != nil {
		return fmt.Errorf("notify stream change: %w", err)
	}
	return nil
}
