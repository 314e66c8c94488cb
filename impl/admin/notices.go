package admin

import (
	"context"
	"encoding/json"
	"fmt"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms"
)

// Notice is a server notice: an event the system user sends to a user in
// their server notices room.
type Notice struct {
	User id.UserID
	// Type defaults to m.room.message; StateKey makes it a state event.
	Type     string
	StateKey *string
	Content  json.RawMessage
}

// SendServerNotice sends a notice to a local user (Synapse's POST
// /_synapse/admin/v1/send_server_notice) in their server notices room: a
// private room of the system user's, made and the user invited on the
// first notice, and again once the user left it.
func (s *Service) SendServerNotice(ctx context.Context, actor accounts.Principal, n Notice) (id.EventID, error) {
	if err := authorize(actor); err != nil {
		return "", err
	}
	if n.User.Homeserver() != s.serverName {
		return "", mxerr.New(mxerr.InvalidParam, "server notices can only be sent to local users")
	}
	a, err := s.accounts.Account(ctx, n.User)
	if err != nil {
		return "", err
	}
	if a.Deactivated() {
		return "", mxerr.New(mxerr.InvalidParam, "%s is deactivated", n.User)
	}
	system, err := s.systemUser(ctx)
	if err != nil {
		return "", err
	}
	room, err := s.noticeRoomOf(ctx, system, n.User)
	if err != nil {
		return "", err
	}
	if n.Type == "" {
		n.Type = event.EventMessage.Type
	}
	evID, err := s.rooms.Send(ctx, rooms.SendParams{Room: room, Sender: system, Type: n.Type, StateKey: n.StateKey, Content: n.Content})
	if err != nil {
		return "", err
	}
	s.audit(ctx, actor, "server_notice.send", string(n.User), map[string]any{"event_id": evID, "room_id": room})
	return evID, nil
}

// systemUser returns the user sending server notices, made on first use.
func (s *Service) systemUser(ctx context.Context) (id.UserID, error) {
	user := id.NewUserID(s.cfg.ServerNotices.SystemUser, s.serverName)
	ok, err := s.accounts.Exists(ctx, user)
	if err != nil || ok {
		return user, err
	}
	// No password: nobody logs in as the system user.
	if _, err := s.accounts.CreateUser(ctx, s.cfg.ServerNotices.SystemUser, "", false); err != nil && mxerr.CodeOf(err) != mxerr.UserInUse {
		return "", fmt.Errorf("create the server notices user: %w", err)
	}
	return user, nil
}

// noticeRoomOf returns user's server notices room while they are in it or
// invited to it, and makes a new one otherwise.
func (s *Service) noticeRoomOf(ctx context.Context, system, user id.UserID) (id.RoomID, error) {
	r, err := s.q.ServerNoticeRoomGet(ctx, s.pool, user)
	switch {
	case pg.IsNoRows(err):
	case err != nil:
		return "", fmt.Errorf("read server notices room of %s: %w", user, err)
	default:
		room := id.RoomID(r)
		m, err := s.rooms.Membership(ctx, room, user)
		if err != nil {
			return "", err
		}
		if m == event.MembershipJoin || m == event.MembershipInvite {
			return room, nil
		}
	}
	name := s.cfg.ServerNotices.RoomName
	room, err := s.rooms.Create(ctx, rooms.CreateParams{
		Creator: system, Preset: rooms.PresetPrivateChat, Name: &name, Invite: []id.UserID{user},
		CreationContent:    []byte(`{"m.federate":false}`),
		PowerLevelOverride: []byte(`{"users_default":-10}`),
	})
	if err != nil {
		return "", fmt.Errorf("create server notices room of %s: %w", user, err)
	}
	if err := s.q.ServerNoticeRoomSet(ctx, s.pool, db.ServerNoticeRoomSetParams{UserID: user, RoomID: string(room)}); err != nil {
		return "", fmt.Errorf("record server notices room of %s: %w", user, err)
	}
	if s.tags != nil {
		// The tag clients show server notices rooms apart by (v1.19
		// client-server, "Server Notices").
		if err := s.tags.SetTag(ctx, user, room, "m.server_notice", []byte(`{}`)); err != nil {
			return "", fmt.Errorf("tag server notices room of %s: %w", user, err)
		}
	}
	return room, nil
}
