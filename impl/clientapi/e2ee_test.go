//go:build goolm

package clientapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto/backup"
	"maunium.net/go/mautrix/federation/signutil"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/cryptotest"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// TestE2EEMegolmOverOlm runs two users' real olm machines against hearth:
// the sender shares its megolm session over olm-encrypted to-device
// messages (keys/query, keys/claim, sendToDevice, /sync to_device), the
// receiver decrypts; a second device of the receiver, logged in later, is
// found through device_lists and gets the session for what follows.
func TestE2EEMegolmOverOlm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := cryptotest.New(t, s.Register(t, "alice", "wonderland1"))
	bob := cryptotest.New(t, s.Register(t, "bob", "builder123"))
	room := cryptotest.EncryptedRoom(t, alice, bob)

	alice.SendEncrypted(room, "hello bob")
	bob.SyncUntil("bob decrypts alice's message", func() bool { return bob.HasDecrypted("hello bob") })
	bob.SendEncrypted(room, "hello alice")
	alice.SyncUntil("alice decrypts bob's reply", func() bool { return alice.HasDecrypted("hello alice") })

	bob2 := cryptotest.Login(t, s, bob.Cli.UserID, "builder123")
	alice.SyncUntil("alice learns of bob's new device", func() bool {
		devices, err := alice.Mach.CryptoStore.GetDevices(ctx, bob.Cli.UserID)
		return err == nil && devices[bob2.Cli.DeviceID] != nil
	})
	alice.SendEncrypted(room, "welcome, second device")
	bob2.SyncUntil("bob's second device decrypts", func() bool { return bob2.HasDecrypted("welcome, second device") })
	require.False(t, bob2.HasDecrypted("hello bob"), "a later device has no key for what came before it")
	bob.SyncUntil("bob's first device still decrypts", func() bool { return bob.HasDecrypted("welcome, second device") })
}

// TestE2EECrossSigning bootstraps cross-signing with mautrix-go, signs the
// device with the self-signing key, and checks that another user sees the
// signatures in keys/query and can sign the user in turn.
func TestE2EECrossSigning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := cryptotest.New(t, s.Register(t, "alice", "wonderland1"))
	bob := cryptotest.New(t, s.Register(t, "bob", "builder123"))
	noUIA := func(*mautrix.RespUserInteractive) any { t.Error("a first upload needs no UIA"); return nil }

	keys, err := alice.Mach.GenerateCrossSigningKeys()
	require.NoError(t, err)
	require.NoError(t, alice.Mach.PublishCrossSigningKeys(ctx, keys, noUIA))
	require.NoError(t, alice.Mach.SignOwnDevice(ctx, alice.Mach.OwnIdentity()))
	require.NoError(t, alice.Mach.SignOwnMasterKey(ctx))

	resp, err := bob.Cli.QueryKeys(ctx, &mautrix.ReqQueryKeys{DeviceKeys: mautrix.DeviceKeysRequest{alice.Cli.UserID: {}}})
	require.NoError(t, err)
	pub := keys.PublicKeys()
	device := resp.DeviceKeys[alice.Cli.UserID][alice.Cli.DeviceID]
	raw, err := json.Marshal(device)
	require.NoError(t, err)
	require.NoError(t, signutil.VerifyJSON(string(alice.Cli.UserID), id.NewKeyID(id.KeyAlgorithmEd25519, pub.SelfSigningKey.String()),
		id.SigningKey(pub.SelfSigningKey), json.RawMessage(raw)), "alice's device is signed by her self-signing key")
	require.Equal(t, pub.MasterKey, resp.MasterKeys[alice.Cli.UserID].Keys[id.NewKeyID(id.KeyAlgorithmEd25519, pub.MasterKey.String())])
	require.NotContains(t, resp.UserSigningKeys, alice.Cli.UserID)

	// Bob's olm machine trusts Alice's device once he has signed her.
	bobKeys, err := bob.Mach.GenerateCrossSigningKeys()
	require.NoError(t, err)
	require.NoError(t, bob.Mach.PublishCrossSigningKeys(ctx, bobKeys, noUIA))
	_, err = bob.Mach.FetchKeys(ctx, []id.UserID{alice.Cli.UserID}, true)
	require.NoError(t, err)
	require.NoError(t, bob.Mach.SignUser(ctx, alice.Cli.UserID, pub.MasterKey))
	aliceDevice, err := bob.Mach.GetOrFetchDevice(ctx, alice.Cli.UserID, alice.Cli.DeviceID)
	require.NoError(t, err)
	trust, err := bob.Mach.ResolveTrustContext(ctx, aliceDevice)
	require.NoError(t, err)
	require.Equal(t, id.TrustStateCrossSignedVerified, trust)

	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: keysQuery, Token: bob.Cli.AccessToken,
		Body: map[string]any{"device_keys": map[string]any{string(alice.Cli.UserID): []string{}}}})
	require.Contains(t, string(r.Raw), bobKeys.UserSigningKey.PublicKey().String(), "bob sees his signature of alice")
	r = s.Do(t, servertest.Request{Method: http.MethodPost, Path: keysQuery, Token: alice.Cli.AccessToken,
		Body: map[string]any{"device_keys": map[string]any{string(alice.Cli.UserID): []string{}}}})
	require.NotContains(t, string(r.Raw), bobKeys.UserSigningKey.PublicKey().String(), "alice does not")
}

// TestE2EEKeyBackupRestore backs up a megolm session from one device and
// restores it on a new device of the same user, which then decrypts the
// messages sent before it existed.
func TestE2EEKeyBackupRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := cryptotest.New(t, s.Register(t, "alice", "wonderland1"))
	bob := cryptotest.New(t, s.Register(t, "bob", "builder123"))
	room := cryptotest.EncryptedRoom(t, alice, bob)
	alice.SendEncrypted(room, "before the new device")
	bob.SyncUntil("bob decrypts", func() bool { return bob.HasDecrypted("before the new device") })

	key, err := backup.NewMegolmBackupKey()
	require.NoError(t, err)
	version, err := alice.Cli.CreateKeyBackupVersion(ctx, &mautrix.ReqRoomKeysVersionCreate[backup.MegolmAuthData]{
		Algorithm: id.KeyBackupAlgorithmMegolmBackupV1,
		AuthData:  backup.MegolmAuthData{PublicKey: id.Ed25519(base64.RawStdEncoding.EncodeToString(key.PublicKey().Bytes()))},
	})
	require.NoError(t, err)
	sessions, err := alice.Store.GetGroupSessionsForRoom(ctx, room).AsList()
	require.NoError(t, err)
	require.NotEmpty(t, sessions)
	req := &mautrix.ReqKeyBackup{Rooms: map[id.RoomID]mautrix.ReqRoomKeyBackup{room: {Sessions: map[id.SessionID]mautrix.ReqKeyBackupData{}}}}
	for _, igs := range sessions {
		exported, err := igs.Internal.Export(igs.Internal.FirstKnownIndex())
		require.NoError(t, err)
		enc, err := backup.EncryptSessionData(key, backup.MegolmSessionData{
			Algorithm: id.AlgorithmMegolmV1, SenderKey: igs.SenderKey, SessionKey: string(exported),
			SenderClaimedKeys: backup.SenderClaimedKeys{Ed25519: igs.SigningKey}, ForwardingKeyChain: []string{},
		})
		require.NoError(t, err)
		data, err := json.Marshal(enc)
		require.NoError(t, err)
		req.Rooms[room].Sessions[igs.ID()] = mautrix.ReqKeyBackupData{
			FirstMessageIndex: int(igs.Internal.FirstKnownIndex()), IsVerified: true, SessionData: data,
		}
	}
	put, err := alice.Cli.PutKeysInBackup(ctx, version.Version, req)
	require.NoError(t, err)
	require.Equal(t, len(sessions), put.Count)

	phone := cryptotest.Login(t, s, alice.Cli.UserID, "wonderland1")
	phone.Sync(0)
	require.Empty(t, phone.Decrypted(), "nothing to decrypt with before the restore")
	restored, err := phone.Mach.DownloadAndStoreLatestKeyBackup(ctx, key)
	require.NoError(t, err)
	require.Equal(t, version.Version, restored)
	require.True(t, slices.Contains(phone.Decrypted(), "before the new device"), "the restored key decrypts the old message")
}
