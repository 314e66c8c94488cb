package rooms

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/rooms/events"
	"github.com/hearth-hs/hearth/impl/rooms/lock"
	"github.com/hearth-hs/hearth/impl/rooms/state"
)

// Presets of createRoom.
const (
	PresetPrivateChat        = "private_chat"
	PresetTrustedPrivateChat = "trusted_private_chat"
	PresetPublicChat         = "public_chat"
)

// CreateParams is a createRoom request.
type CreateParams struct {
	Creator id.UserID
	// Version is empty for the default.
	Version id.RoomVersion
	Preset  string
	// Public publishes the room in the directory.
	Public    bool
	AliasName string
	Name      *string
	Topic     *string
	Invite    []id.UserID
	IsDirect  bool
	// CreationContent, PowerLevelOverride and InitialState contents are
	// JSON objects as the client sent them.
	CreationContent    []byte
	PowerLevelOverride []byte
	InitialState       []StateEvent
}

// StateEvent is a state event to set.
type StateEvent struct {
	Type     string
	StateKey string
	Content  []byte
}

// Create makes a room as createRoom describes, all in one transaction: the
// create event, the creator's join, power levels, alias, the preset's join
// rules, history visibility and guest access, the initial state, name,
// topic and invites, each authorised like any other event.
func (s *Service) Create(ctx context.Context, p CreateParams) (id.RoomID, error) {
	plan, err := s.planCreate(p)
	if err != nil {
		return "", err
	}
	for i := range plan.events {
		if err := s.intern(ctx, &plan.events[i]); err != nil {
			return "", err
		}
	}
	var alias id.RoomAlias
	if p.AliasName != "" {
		if alias, err = mxid.ParseRoomAlias("#" + p.AliasName + ":" + s.serverName); err != nil {
			return "", mxerr.New(mxerr.InvalidParam, "invalid room alias name")
		}
	}
	roomID := plan.roomID
	if roomID == "" { // derived from the create event
		if roomID, err = s.derivedRoomID(plan); err != nil {
			return "", err
		}
	}
	err = s.write(ctx, roomID, func(q *pg.Pipeline, held lock.Held) error {
		if _, err := s.q.RoomInsert(ctx, q, db.RoomInsertParams{RoomID: string(roomID), RoomVersion: string(plan.version)}); err != nil {
			return fmt.Errorf("insert room %s: %w", roomID, err)
		}
		if alias != "" {
			if err := s.insertAliasTx(ctx, q, alias, roomID, p.Creator); err != nil {
				return err
			}
		}
		for _, ne := range plan.events {
			if _, err := s.appendTx(ctx, q, held, ne); err != nil {
				return err
			}
		}
		if p.Public {
			if _, err := s.q.RoomSetPublished(ctx, q, db.RoomSetPublishedParams{RoomID: string(roomID), Published: true}); err != nil {
				return fmt.Errorf("publish room: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	s.log.InfoContext(ctx, "created room", "room_id", roomID, "user_id", p.Creator)
	return roomID, nil
}

// intern interns a planned state event's key before the transaction.
func (s *Service) intern(ctx context.Context, ne *newEvent) error {
	if ne.StateKey == nil {
		return nil
	}
	n, err := s.state.KeyNID(ctx, state.Key{Type: ne.Type, StateKey: *ne.StateKey})
	ne.KeyNID = n
	return err
}

type createPlan struct {
	version id.RoomVersion
	roomID  id.RoomID // empty when derived from the create event
	events  []newEvent
}

// planCreate works out the events of a new room from the request, checking
// it before anything is written.
func (s *Service) planCreate(p CreateParams) (*createPlan, error) {
	version := p.Version
	if version == "" {
		version = id.RoomVersion(s.cfg.DefaultRoomVersion)
	}
	if !slices.Contains(CreatableVersions, version) {
		return nil, mxerr.New(mxerr.UnsupportedRoomVersion, "this server does not create rooms of version %q", version)
	}
	preset := p.Preset
	if preset == "" {
		preset = PresetPrivateChat
		if p.Public {
			preset = PresetPublicChat
		}
	}
	plan := &createPlan{version: version}
	if !version.RoomIDIsCreateEventID() {
		plan.roomID = id.RoomID("!" + mxid.NewOpaque(18) + ":" + s.serverName)
	}

	createContent, err := s.createContent(p, version, preset)
	if err != nil {
		return nil, err
	}
	ts := s.now().UnixMilli()
	add := func(evType, stateKey string, content any) error {
		b, ok := content.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(content); err != nil {
				return err
			}
		}
		sk := stateKey
		plan.events = append(plan.events, newEvent{Type: evType, StateKey: &sk, Sender: p.Creator, Content: b, TS: ts})
		return nil
	}
	_ = add(event.StateCreate.Type, "", createContent)
	_ = add(event.StateMember.Type, string(p.Creator), s.memberContent(context.Background(), p.Creator, event.MembershipJoin, ""))
	pl, err := powerLevels(p, version, preset)
	if err != nil {
		return nil, err
	}
	_ = add(event.StatePowerLevels.Type, "", pl)
	if p.AliasName != "" {
		_ = add(event.StateCanonicalAlias.Type, "", map[string]any{"alias": "#" + p.AliasName + ":" + s.serverName})
	}
	joinRule, history, guests := "invite", "shared", "can_join"
	if preset == PresetPublicChat {
		joinRule, guests = "public", "forbidden"
	}
	_ = add(event.StateJoinRules.Type, "", map[string]any{"join_rule": joinRule})
	_ = add(event.StateHistoryVisibility.Type, "", map[string]any{"history_visibility": history})
	_ = add(event.StateGuestAccess.Type, "", map[string]any{"guest_access": guests})
	for _, st := range p.InitialState {
		if st.Type == event.StateCreate.Type || st.Type == event.StateMember.Type {
			return nil, mxerr.New(mxerr.InvalidRoomState, "initial_state may not hold %s events", st.Type)
		}
		_ = add(st.Type, st.StateKey, st.Content)
	}
	if p.Name != nil {
		_ = add(event.StateRoomName.Type, "", map[string]any{"name": *p.Name})
	}
	if p.Topic != nil {
		_ = add(event.StateTopic.Type, "", topicContent(*p.Topic))
	}
	for _, invitee := range p.Invite {
		content := map[string]any{"membership": "invite"}
		if p.IsDirect {
			content["is_direct"] = true
		}
		_ = add(event.StateMember.Type, string(invitee), content)
	}
	return plan, nil
}

// createContent is the create event's content: the client's
// creation_content with the room version, and the creator where the room
// version still carries it.
func (s *Service) createContent(p CreateParams, version id.RoomVersion, preset string) (map[string]any, error) {
	content := map[string]any{}
	if len(p.CreationContent) > 0 {
		if err := json.Unmarshal(p.CreationContent, &content); err != nil {
			return nil, mxerr.New(mxerr.BadJSON, "creation_content must be an object")
		}
	}
	content["room_version"] = string(version)
	if version.CreatorInContent() {
		content["creator"] = string(p.Creator)
	} else {
		delete(content, "creator")
	}
	if version.PrivilegedRoomCreators() && preset == PresetTrustedPrivateChat && len(p.Invite) > 0 {
		// Trusted private chats make their invitees equal to the creator,
		// which from room version 12 means co-creators.
		extra := make([]string, len(p.Invite))
		for i, u := range p.Invite {
			extra[i] = string(u)
		}
		content["additional_creators"] = extra
	}
	return content, nil
}

func topicContent(topic string) map[string]any {
	return map[string]any{
		"topic":   topic,
		"m.topic": map[string]any{"m.text": []map[string]any{{"body": topic, "mimetype": "text/plain"}}},
	}
}

// derivedRoomID is the ID of a room whose ID comes from its create event
// (room version 12 on): the create event's ID with the room sigil.
func (s *Service) derivedRoomID(plan *createPlan) (id.RoomID, error) {
	ne := plan.events[0]
	b, err := s.signer.Build(plan.version, events.Proto{Type: ne.Type, StateKey: ne.StateKey, Sender: ne.Sender, Content: ne.Content, Depth: 1, TS: ne.TS})
	if err != nil {
		return "", err
	}
	return b.PDU.GetRoomID()
}
