//go:build goolm

// Real end-to-end encryption against hearth needs mautrix-go's crypto with
// its pure-Go olm: these files build with -tags goolm (make test sets it).

package clientapi_test

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

// cryptoClient is a mautrix-go client with an olm machine, driven by a
// /sync loop the test steps through: the way a bot or bridge does
// end-to-end encryption, with in-memory stores.
type cryptoClient struct {
	t     testing.TB
	cli   *mautrix.Client
	mach  *crypto.OlmMachine
	store *crypto.MemoryStore
	state *mautrix.MemoryStateStore
	since string
	// encrypted are the m.room.encrypted timeline events seen, in order.
	encrypted []*event.Event
}

// newCryptoClient loads an olm account for cli's device and publishes its
// device keys and one-time keys.
func newCryptoClient(t testing.TB, cli *mautrix.Client) *cryptoClient {
	t.Helper()
	ctx := context.Background()
	state := mautrix.NewMemoryStateStore().(*mautrix.MemoryStateStore)
	cli.StateStore = state
	store := crypto.NewMemoryStore(nil)
	log := zerolog.Nop()
	mach := crypto.NewOlmMachine(cli, &log, store, state)
	require.NoError(t, mach.Load(ctx))
	require.NoError(t, mach.ShareKeys(ctx, -1))
	return &cryptoClient{t: t, cli: cli, mach: mach, store: store, state: state}
}

// login opens another device of cli's user, with its own olm account.
func loginCrypto(t testing.TB, s *servertest.Server, user id.UserID, password string) *cryptoClient {
	t.Helper()
	cli := s.Client(t, "", "")
	_, err := cli.Login(context.Background(), &mautrix.ReqLogin{
		Type:             mautrix.AuthTypePassword,
		Identifier:       mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: user.Localpart()},
		Password:         password,
		StoreCredentials: true,
	})
	require.NoError(t, err)
	return newCryptoClient(t, cli)
}

// sync runs one /sync and hands it to the state store and the olm machine,
// as mautrix's own syncer would.
func (c *cryptoClient) sync(timeout time.Duration) {
	c.t.Helper()
	ctx := context.Background()
	resp, err := c.cli.FullSyncRequest(ctx, mautrix.ReqSync{Since: c.since, Timeout: int(timeout.Milliseconds())})
	require.NoError(c.t, err)
	for roomID, room := range resp.Rooms.Join {
		for _, evt := range room.State.Events {
			c.handle(ctx, roomID, evt)
		}
		for _, evt := range room.Timeline.Events {
			c.handle(ctx, roomID, evt)
		}
	}
	c.mach.ProcessSyncResponse(ctx, resp, c.since)
	c.since = resp.NextBatch
}

func (c *cryptoClient) handle(ctx context.Context, roomID id.RoomID, evt *event.Event) {
	evt.RoomID = roomID
	evt.Type.Class = event.MessageEventType
	if evt.StateKey != nil {
		evt.Type.Class = event.StateEventType
	}
	_ = evt.Content.ParseRaw(evt.Type)
	if evt.StateKey != nil {
		mautrix.UpdateStateStore(ctx, c.state, evt)
		if evt.Type == event.StateMember {
			c.mach.HandleMemberEvent(ctx, evt)
		}
	}
	if evt.Type == event.EventEncrypted {
		c.encrypted = append(c.encrypted, evt)
	}
}

// syncUntil syncs until cond holds, or fails the test after 20 seconds.
func (c *cryptoClient) syncUntil(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: not after 20s of syncing", what)
		}
		c.sync(500 * time.Millisecond)
	}
}

// sendEncrypted shares the room's megolm session with its members (over
// olm to-device messages) and sends body encrypted with it.
func (c *cryptoClient) sendEncrypted(room id.RoomID, body string) {
	c.t.Helper()
	ctx := context.Background()
	members, err := c.state.GetRoomJoinedOrInvitedMembers(ctx, room)
	require.NoError(c.t, err)
	require.NoError(c.t, c.mach.ShareGroupSession(ctx, room, members))
	content, err := c.mach.EncryptMegolmEvent(ctx, room, event.EventMessage, &event.MessageEventContent{MsgType: event.MsgText, Body: body})
	require.NoError(c.t, err)
	_, err = c.cli.SendMessageEvent(ctx, room, event.EventEncrypted, content)
	require.NoError(c.t, err)
}

// decrypted returns the bodies of the encrypted messages seen that this
// device can decrypt.
func (c *cryptoClient) decrypted() []string {
	var out []string
	for _, evt := range c.encrypted {
		dec, err := c.mach.DecryptMegolmEvent(context.Background(), evt)
		if err != nil {
			continue
		}
		if msg := dec.Content.AsMessage(); msg != nil {
			out = append(out, msg.Body)
		}
	}
	return out
}

// hasDecrypted tells whether body is among the decrypted messages.
func (c *cryptoClient) hasDecrypted(body string) bool {
	for _, b := range c.decrypted() {
		if b == body {
			return true
		}
	}
	return false
}

// encryptedRoom makes a private encrypted room of c's user with the others
// joined, and syncs everyone until they know it is encrypted.
func encryptedRoom(t testing.TB, c *cryptoClient, others ...*cryptoClient) id.RoomID {
	t.Helper()
	ctx := context.Background()
	var invite []id.UserID
	for _, o := range others {
		invite = append(invite, o.cli.UserID)
	}
	created, err := c.cli.CreateRoom(ctx, &mautrix.ReqCreateRoom{
		Preset: "private_chat", Invite: invite,
		InitialState: []*event.Event{{
			Type:    event.StateEncryption,
			Content: event.Content{Parsed: &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1}},
		}},
	})
	require.NoError(t, err)
	for _, o := range others {
		_, err := o.cli.JoinRoomByID(ctx, created.RoomID)
		require.NoError(t, err)
	}
	for _, cc := range append([]*cryptoClient{c}, others...) {
		cc.syncUntil("room is encrypted and joined", func() bool {
			enc, _ := cc.state.IsEncrypted(ctx, created.RoomID)
			members, _ := cc.state.GetRoomJoinedOrInvitedMembers(ctx, created.RoomID)
			return enc && len(members) == len(others)+1
		})
	}
	return created.RoomID
}
