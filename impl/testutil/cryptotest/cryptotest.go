//go:build goolm

// Package cryptotest drives real end-to-end encryption against a test
// hearth: mautrix-go clients with olm machines (its crypto with the pure-Go
// olm, so this package builds with -tags goolm, which make test sets).
package cryptotest

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// Client is a mautrix-go client with an olm machine, driven by a
// /sync loop the test steps through: the way a bot or bridge does
// end-to-end encryption, with in-memory stores.
type Client struct {
	t     testing.TB
	Cli   *mautrix.Client
	Mach  *crypto.OlmMachine
	Store *crypto.MemoryStore
	State *mautrix.MemoryStateStore
	since string
	// encrypted are the m.room.encrypted timeline events seen, in order.
	encrypted []*event.Event
}

// New loads an olm account for cli's device and publishes its
// device keys and one-time keys.
func New(t testing.TB, cli *mautrix.Client) *Client {
	t.Helper()
	ctx := context.Background()
	state := mautrix.NewMemoryStateStore().(*mautrix.MemoryStateStore)
	cli.StateStore = state
	store := crypto.NewMemoryStore(nil)
	log := zerolog.Nop()
	mach := crypto.NewOlmMachine(cli, &log, store, state)
	require.NoError(t, mach.Load(ctx))
	require.NoError(t, mach.ShareKeys(ctx, -1))
	return &Client{t: t, Cli: cli, Mach: mach, Store: store, State: state}
}

// Login opens another device of cli's user, with its own olm account.
func Login(t testing.TB, s *servertest.Server, user id.UserID, password string) *Client {
	t.Helper()
	cli := s.Client(t, "", "")
	_, err := cli.Login(context.Background(), &mautrix.ReqLogin{
		Type:             mautrix.AuthTypePassword,
		Identifier:       mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: user.Localpart()},
		Password:         password,
		StoreCredentials: true,
	})
	require.NoError(t, err)
	return New(t, cli)
}

// Sync runs one /sync and hands it to the state store and the olm machine,
// as mautrix's own syncer would.
func (c *Client) Sync(timeout time.Duration) {
	c.t.Helper()
	ctx := context.Background()
	resp, err := c.Cli.FullSyncRequest(ctx, mautrix.ReqSync{Since: c.since, Timeout: int(timeout.Milliseconds())})
	require.NoError(c.t, err)
	for roomID, room := range resp.Rooms.Join {
		for _, evt := range room.State.Events {
			c.Handle(ctx, roomID, evt)
		}
		for _, evt := range room.Timeline.Events {
			c.Handle(ctx, roomID, evt)
		}
	}
	c.Mach.ProcessSyncResponse(ctx, resp, c.since)
	c.since = resp.NextBatch
}

// Handle feeds one event of a sync to the state store and the olm machine,
// and keeps it when it is encrypted.
func (c *Client) Handle(ctx context.Context, roomID id.RoomID, evt *event.Event) {
	evt.RoomID = roomID
	evt.Type.Class = event.MessageEventType
	if evt.StateKey != nil {
		evt.Type.Class = event.StateEventType
	}
	_ = evt.Content.ParseRaw(evt.Type)
	if evt.StateKey != nil {
		mautrix.UpdateStateStore(ctx, c.State, evt)
		if evt.Type == event.StateMember {
			c.Mach.HandleMemberEvent(ctx, evt)
		}
	}
	if evt.Type == event.EventEncrypted {
		c.encrypted = append(c.encrypted, evt)
	}
}

// SyncUntil syncs until cond holds, or fails the test after 20 seconds.
func (c *Client) SyncUntil(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: not after 20s of syncing", what)
		}
		c.Sync(500 * time.Millisecond)
	}
}

// SendEncrypted shares the room's megolm session with its members (over
// olm to-device messages) and sends body encrypted with it.
func (c *Client) SendEncrypted(room id.RoomID, body string) {
	c.t.Helper()
	ctx := context.Background()
	members, err := c.State.GetRoomJoinedOrInvitedMembers(ctx, room)
	require.NoError(c.t, err)
	require.NoError(c.t, c.Mach.ShareGroupSession(ctx, room, members))
	content, err := c.Mach.EncryptMegolmEvent(ctx, room, event.EventMessage, &event.MessageEventContent{MsgType: event.MsgText, Body: body})
	require.NoError(c.t, err)
	_, err = c.Cli.SendMessageEvent(ctx, room, event.EventEncrypted, content)
	require.NoError(c.t, err)
}

// Decrypted returns the bodies of the encrypted messages seen that this
// device can decrypt.
func (c *Client) Decrypted() []string {
	var out []string
	for _, evt := range c.encrypted {
		dec, err := c.Mach.DecryptMegolmEvent(context.Background(), evt)
		if err != nil {
			continue
		}
		if msg := dec.Content.AsMessage(); msg != nil {
			out = append(out, msg.Body)
		}
	}
	return out
}

// HasDecrypted tells whether body is among the decrypted messages.
func (c *Client) HasDecrypted(body string) bool {
	for _, b := range c.Decrypted() {
		if b == body {
			return true
		}
	}
	return false
}

// EncryptedRoom makes a private encrypted room of c's user with the others
// joined, and syncs everyone until they know it is encrypted.
func EncryptedRoom(t testing.TB, c *Client, others ...*Client) id.RoomID {
	t.Helper()
	ctx := context.Background()
	var invite []id.UserID
	for _, o := range others {
		invite = append(invite, o.Cli.UserID)
	}
	created, err := c.Cli.CreateRoom(ctx, &mautrix.ReqCreateRoom{
		Preset: "private_chat", Invite: invite,
		InitialState: []*event.Event{{
			Type:    event.StateEncryption,
			Content: event.Content{Parsed: &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1}},
		}},
	})
	require.NoError(t, err)
	for _, o := range others {
		_, err := o.Cli.JoinRoomByID(ctx, created.RoomID)
		require.NoError(t, err)
	}
	for _, cc := range append([]*Client{c}, others...) {
		cc.SyncUntil("room is encrypted and joined", func() bool {
			enc, _ := cc.State.IsEncrypted(ctx, created.RoomID)
			members, _ := cc.State.GetRoomJoinedOrInvitedMembers(ctx, created.RoomID)
			return enc && len(members) == len(others)+1
		})
	}
	return created.RoomID
}
