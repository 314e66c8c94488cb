package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/jobs"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms"
)

// DeleteParams are Synapse's room deletion options.
type DeleteParams struct {
	// NewRoomUserID, when set, creates a room as this local user, tells
	// the members why in it and moves them there.
	NewRoomUserID id.UserID `json:"new_room_user_id,omitempty"`
	RoomName      string    `json:"room_name,omitempty"`
	Message       string    `json:"message,omitempty"`
	// Block refuses joins to the room afterwards.
	Block bool `json:"block"`
	// Purge deletes every row of the room once its members left.
	Purge bool `json:"purge"`
}

// Shutdown is what a room deletion did before purging.
type Shutdown struct {
	KickedUsers       []id.UserID    `json:"kicked_users"`
	FailedToKickUsers []id.UserID    `json:"failed_to_kick_users"`
	LocalAliases      []id.RoomAlias `json:"local_aliases"`
	NewRoomID         *id.RoomID     `json:"new_room_id"`
}

// Deletion statuses, as Synapse names them.
const (
	StatusShuttingDown = "shutting_down"
	StatusPurging      = "purging"
	StatusComplete     = "complete"
	StatusFailed       = "failed"
)

// Deletion is a room deletion and how far it got.
type Deletion struct {
	ID       string
	Room     id.RoomID
	Status   string
	Error    string
	Shutdown Shutdown
}

const (
	defaultNoticeRoomName = "Content Violation Notification"
	defaultNoticeMessage  = "Sharing illegal content on this server is not permitted and rooms in violation will be blocked."
)

// checkDeletion validates a deletion request before it is accepted.
func (s *Service) checkDeletion(ctx context.Context, actor accounts.Principal, room id.RoomID, p DeleteParams) error {
	if err := authorize(actor); err != nil {
		return err
	}
	if p.NewRoomUserID != "" {
		if err := s.localUser(p.NewRoomUserID); err != nil {
			return err
		}
		if ok, err := s.accounts.Exists(ctx, p.NewRoomUserID); err != nil || !ok {
			return errors.Join(err, mxerr.New(mxerr.InvalidParam, "new_room_user_id %s does not exist", p.NewRoomUserID))
		}
	}
	known, err := s.rooms.Known(ctx, room)
	if err != nil {
		return err
	}
	if !known && !p.Block {
		return errRoomNotFound
	}
	return nil
}

// DeleteRoom starts deleting a room in the background (Synapse's DELETE
// /_synapse/admin/v2/rooms/{roomId}) and returns the deletion's ID, whose
// status DeleteStatus reads. A room being deleted already is M_INVALID_PARAM.
func (s *Service) DeleteRoom(ctx context.Context, actor accounts.Principal, room id.RoomID, p DeleteParams) (string, error) {
	if err := s.checkDeletion(ctx, actor, room, p); err != nil {
		return "", err
	}
	params, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	deleteID := mxid.NewOpaque(16)
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		running, err := s.q.RoomDeletionsOfRoom(ctx, tx, string(room))
		if err != nil {
			return fmt.Errorf("read deletions of %s: %w", room, err)
		}
		for _, d := range running {
			if d.Status == StatusShuttingDown || d.Status == StatusPurging {
				return mxerr.New(mxerr.InvalidParam, "the room is being deleted already (%s)", d.DeleteID)
			}
		}
		if err := s.q.RoomDeletionInsert(ctx, tx, db.RoomDeletionInsertParams{DeleteID: deleteID, RoomID: string(room),
			RequestedBy: string(actor.UserID), Params: params}); err != nil {
			return fmt.Errorf("record deletion of %s: %w", room, err)
		}
		return s.jobs.InsertTx(ctx, tx, deleteRoomArgs{DeleteID: deleteID}, nil)
	})
	if err != nil {
		return "", err
	}
	s.audit(ctx, actor, "room.delete", string(room), map[string]any{"delete_id": deleteID, "params": p})
	return deleteID, nil
}

// DeleteRoomNow deletes a room before it returns (Synapse's deprecated
// DELETE /_synapse/admin/v1/rooms/{roomId}).
func (s *Service) DeleteRoomNow(ctx context.Context, actor accounts.Principal, room id.RoomID, p DeleteParams) (Shutdown, error) {
	if err := s.checkDeletion(ctx, actor, room, p); err != nil {
		return Shutdown{}, err
	}
	s.audit(ctx, actor, "room.delete", string(room), map[string]any{"params": p})
	return s.runDeletion(ctx, room, p, actor.UserID, func(string) {})
}

// runDeletion shuts a room down and purges it as p asks; status is told
// each step. The steps can run again after a failure: who left is gone
// from the member list, and a purged room is done.
func (s *Service) runDeletion(ctx context.Context, room id.RoomID, p DeleteParams, by id.UserID, status func(string)) (Shutdown, error) {
	res := Shutdown{KickedUsers: []id.UserID{}, FailedToKickUsers: []id.UserID{}, LocalAliases: []id.RoomAlias{}}
	if p.Block {
		if err := s.blocklist.set(ctx, room, true, by); err != nil {
			return res, err
		}
	}
	known, err := s.rooms.Known(ctx, room)
	if err != nil || !known {
		return res, err
	}
	if p.NewRoomUserID != "" {
		newRoom, err := s.noticeRoom(ctx, p)
		if err != nil {
			return res, err
		}
		res.NewRoomID = &newRoom
	}
	if err := s.rooms.SetPublished(ctx, room, false); err != nil && mxerr.CodeOf(err) != mxerr.NotFound {
		return res, err
	}
	members, err := s.q.AdminRoomLocalMembers(ctx, s.pool, string(room))
	if err != nil {
		return res, fmt.Errorf("list local members of %s: %w", room, err)
	}
	for _, m := range members {
		// Members leave themselves, through the write path: leaving needs
		// no power, so it works whatever the room's power levels.
		if err := s.rooms.Leave(ctx, rooms.MembershipParams{Room: room, Sender: m.UserID, Reason: "the room was shut down"}); err != nil {
			s.log.WarnContext(ctx, "room deletion: make member leave", "room_id", room, "user_id", m.UserID, "err", err)
			res.FailedToKickUsers = append(res.FailedToKickUsers, m.UserID)
			continue
		}
		res.KickedUsers = append(res.KickedUsers, m.UserID)
		if res.NewRoomID != nil && m.Membership == "join" && m.UserID != p.NewRoomUserID {
			if err := s.rooms.Join(ctx, rooms.MembershipParams{Room: *res.NewRoomID, Sender: m.UserID}); err != nil {
				s.log.WarnContext(ctx, "room deletion: move member", "room_id", *res.NewRoomID, "user_id", m.UserID, "err", err)
			}
		}
	}
	aliases, err := s.rooms.LocalAliases(ctx, room)
	if err != nil {
		return res, err
	}
	for _, a := range aliases {
		if err := s.rooms.DeleteAlias(ctx, a, room); err != nil && mxerr.CodeOf(err) != mxerr.NotFound {
			return res, err
		}
		res.LocalAliases = append(res.LocalAliases, a)
	}
	if !p.Purge {
		return res, nil
	}
	status(StatusPurging)
	if _, err := s.rooms.Purge(ctx, room); err != nil && mxerr.CodeOf(err) != mxerr.NotFound {
		return res, err
	}
	return res, nil
}

// noticeRoom makes the room members of a deleted room are moved to: public,
// where only its creator may speak, with the message in it.
func (s *Service) noticeRoom(ctx context.Context, p DeleteParams) (id.RoomID, error) {
	name := p.RoomName
	if name == "" {
		name = defaultNoticeRoomName
	}
	msg := p.Message
	if msg == "" {
		msg = defaultNoticeMessage
	}
	room, err := s.rooms.Create(ctx, rooms.CreateParams{Creator: p.NewRoomUserID, Preset: rooms.PresetPublicChat, Name: &name,
		PowerLevelOverride: []byte(`{"users_default":-10}`)})
	if err != nil {
		return "", fmt.Errorf("create the room members are moved to: %w", err)
	}
	content, _ := json.Marshal(map[string]string{"msgtype": "m.text", "body": msg})
	if _, err := s.rooms.Send(ctx, rooms.SendParams{Room: room, Sender: p.NewRoomUserID, Type: "m.room.message", Content: content}); err != nil {
		return "", err
	}
	return room, nil
}

// DeleteStatus returns one deletion, or M_NOT_FOUND.
func (s *Service) DeleteStatus(ctx context.Context, actor accounts.Principal, deleteID string) (Deletion, error) {
	if err := authorize(actor); err != nil {
		return Deletion{}, err
	}
	d, err := s.q.RoomDeletionGet(ctx, s.pool, deleteID)
	if pg.IsNoRows(err) {
		return Deletion{}, mxerr.New(mxerr.NotFound, "delete ID not found")
	}
	if err != nil {
		return Deletion{}, fmt.Errorf("get deletion %s: %w", deleteID, err)
	}
	return deletionOf(d), nil
}

// DeleteStatuses lists the deletions of a room, oldest first; none is
// M_NOT_FOUND, as in Synapse.
func (s *Service) DeleteStatuses(ctx context.Context, actor accounts.Principal, room id.RoomID) ([]Deletion, error) {
	if err := authorize(actor); err != nil {
		return nil, err
	}
	rows, err := s.q.RoomDeletionsOfRoom(ctx, s.pool, string(room))
	if err != nil {
		return nil, fmt.Errorf("read deletions of %s: %w", room, err)
	}
	if len(rows) == 0 {
		return nil, mxerr.New(mxerr.NotFound, "no deletion of this room was found")
	}
	out := make([]Deletion, len(rows))
	for i, r := range rows {
		out[i] = deletionOf(r)
	}
	return out, nil
}

func deletionOf(r db.RoomDeletion) Deletion {
	d := Deletion{ID: r.DeleteID, Room: id.RoomID(r.RoomID), Status: r.Status, Error: r.Error,
		Shutdown: Shutdown{KickedUsers: []id.UserID{}, FailedToKickUsers: []id.UserID{}, LocalAliases: []id.RoomAlias{}}}
	_ = json.Unmarshal(r.Result, &d.Shutdown) // written by us: {} until the shutdown ends
	return d
}

// deleteRoomArgs is the job deleting a room.
type deleteRoomArgs struct {
	DeleteID string `json:"delete_id"`
}

func (deleteRoomArgs) Kind() string { return "admin.delete_room" }

type deleteRoomWorker struct {
	river.WorkerDefaults[deleteRoomArgs]
	s *Service
}

// Timeout leaves purging a large room more time than the default job
// timeout.
func (w *deleteRoomWorker) Timeout(*river.Job[deleteRoomArgs]) time.Duration { return time.Hour }

// Work runs a recorded deletion and records how it ended. A failed
// deletion is not retried: its status says why, and an admin may ask
// again.
func (w *deleteRoomWorker) Work(ctx context.Context, job *river.Job[deleteRoomArgs]) error {
	s := w.s
	d, err := s.q.RoomDeletionGet(ctx, s.pool, job.Args.DeleteID)
	if pg.IsNoRows(err) {
		return river.JobCancel(fmt.Errorf("deletion %s is not recorded", job.Args.DeleteID))
	}
	if err != nil {
		return err
	}
	var p DeleteParams
	if err := json.Unmarshal(d.Params, &p); err != nil {
		return river.JobCancel(fmt.Errorf("deletion %s: %w", d.DeleteID, err))
	}
	var res Shutdown
	update := func(status, msg string) error {
		b, _ := json.Marshal(res)
		return s.q.RoomDeletionUpdate(ctx, s.pool, db.RoomDeletionUpdateParams{DeleteID: d.DeleteID, Status: status, Error: msg, Result: b})
	}
	res, err = s.runDeletion(ctx, id.RoomID(d.RoomID), p, id.UserID(d.RequestedBy), func(status string) {
		if err := update(status, ""); err != nil {
			s.log.WarnContext(ctx, "room deletion: record status", "room_id", d.RoomID, "err", err)
		}
	})
	if err != nil {
		s.log.ErrorContext(ctx, "room deletion failed", "room_id", d.RoomID, "err", err)
		if uerr := update(StatusFailed, "the deletion failed: "+publicMessage(err)); uerr != nil {
			return uerr
		}
		return river.JobCancel(err)
	}
	return update(StatusComplete, "")
}

// RegisterWorkers adds the admin jobs' workers: it makes the service a
// jobs.WorkerSet.
func (s *Service) RegisterWorkers(w *jobs.Workers) {
	jobs.AddWorker(w, &deleteRoomWorker{s: s})
}

// publicMessage is what an admin may read of err: a Matrix error's message,
// not internal details.
func publicMessage(err error) string {
	if e := mxerr.As(err); e != nil {
		return e.Message
	}
	return "internal error (see the server log)"
}
