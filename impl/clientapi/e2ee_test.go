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
	alice := newCryptoClient(t, s.Register(t, "alice", "wonderland1"))
	bob := newCryptoClient(t, s.Register(t, "bob", "builder123"))
	room := encryptedRoom(t, alice, bob)

	alice.sendEncrypted(room, "hello bob")
	bob.syncUntil("bob decrypts alice's message", func() bool { return bob.hasDecrypted("hello bob") })
	bob.sendEncrypted(room, "hello alice")
	alice.syncUntil("alice decrypts bob's reply", func() bool { return alice.hasDecrypted("hello alice") })

	bob2 := loginCrypto(t, s, bob.cli.UserID, "builder123")
	alice.syncUntil("alice learns of bob's new device", func() bool {
		devices, err := alice.mach.CryptoStore.GetDevices(ctx, bob.cli.UserID)
		return err == nil && devices[bob2.cli.DeviceID] != nil
	})
	alice.sendEncrypted(room, "welcome, second device")
	bob2.syncUntil("bob's second device decrypts", func() bool { return bob2.hasDecrypted("welcome, second device") })
	require.False(t, bob2.hasDecrypted("hello bob"), "a later device has no key for what came before it")
	bob.syncUntil("bob's first device still decrypts", func() bool { return bob.hasDecrypted("welcome, second device") })
}

// TestE2EECrossSigning bootstraps cross-signing with mautrix-go, signs the
// device with the self-signing key, and checks that another user sees the
// signatures in keys/query and can sign the user in turn.
func TestE2EECrossSigning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := newCryptoClient(t, s.Register(t, "alice", "wonderland1"))
	bob := newCryptoClient(t, s.Register(t, "bob", "builder123"))
	noUIA := func(*mautrix.RespUserInteractive) any { t.Error("a first upload needs no UIA"); return nil }

	keys, err := alice.mach.GenerateCrossSigningKeys()
	require.NoError(t, err)
	require.NoError(t, alice.mach.PublishCrossSigningKeys(ctx, keys, noUIA))
	require.NoError(t, alice.mach.SignOwnDevice(ctx, alice.mach.OwnIdentity()))
	require.NoError(t, alice.mach.SignOwnMasterKey(ctx))

	resp, err := bob.cli.QueryKeys(ctx, &mautrix.ReqQueryKeys{DeviceKeys: mautrix.DeviceKeysRequest{alice.cli.UserID: {}}})
	require.NoError(t, err)
	pub := keys.PublicKeys()
	device := resp.DeviceKeys[alice.cli.UserID][alice.cli.DeviceID]
	raw, err := json.Marshal(device)
	require.NoError(t, err)
	require.NoError(t, signutil.VerifyJSON(string(alice.cli.UserID), id.NewKeyID(id.KeyAlgorithmEd25519, pub.SelfSigningKey.String()),
		id.SigningKey(pub.SelfSigningKey), json.RawMessage(raw)), "alice's device is signed by her self-signing key")
	require.Equal(t, pub.MasterKey, resp.MasterKeys[alice.cli.UserID].Keys[id.NewKeyID(id.KeyAlgorithmEd25519, pub.MasterKey.String())])
	require.NotContains(t, resp.UserSigningKeys, alice.cli.UserID)

	// Bob's olm machine trusts Alice's device once he has signed her.
	bobKeys, err := bob.mach.GenerateCrossSigningKeys()
	require.NoError(t, err)
	require.NoError(t, bob.mach.PublishCrossSigningKeys(ctx, bobKeys, noUIA))
	_, err = bob.mach.FetchKeys(ctx, []id.UserID{alice.cli.UserID}, true)
	require.NoError(t, err)
	require.NoError(t, bob.mach.SignUser(ctx, alice.cli.UserID, pub.MasterKey))
	aliceDevice, err := bob.mach.GetOrFetchDevice(ctx, alice.cli.UserID, alice.cli.DeviceID)
	require.NoError(t, err)
	trust, err := bob.mach.ResolveTrustContext(ctx, aliceDevice)
	require.NoError(t, err)
	require.Equal(t, id.TrustStateCrossSignedVerified, trust)

	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: keysQuery, Token: bob.cli.AccessToken,
		Body: map[string]any{"device_keys": map[string]any{string(alice.cli.UserID): []string{}}}})
	require.Contains(t, string(r.Raw), bobKeys.UserSigningKey.PublicKey().String(), "bob sees his signature of alice")
	r = s.Do(t, servertest.Request{Method: http.MethodPost, Path: keysQuery, Token: alice.cli.AccessToken,
		Body: map[string]any{"device_keys": map[string]any{string(alice.cli.UserID): []string{}}}})
	require.NotContains(t, string(r.Raw), bobKeys.UserSigningKey.PublicKey().String(), "alice does not")
}

// TestE2EEKeyBackupRestore backs up a megolm session from one device and
// restores it on a new device of the same user, which then decrypts the
// messages sent before it existed.
func TestE2EEKeyBackupRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice := newCryptoClient(t, s.Register(t, "alice", "wonderland1"))
	bob := newCryptoClient(t, s.Register(t, "bob", "builder123"))
	room := encryptedRoom(t, alice, bob)
	alice.sendEncrypted(room, "before the new device")
	bob.syncUntil("bob decrypts", func() bool { return bob.hasDecrypted("before the new device") })

	key, err := backup.NewMegolmBackupKey()
	require.NoError(t, err)
	version, err := alice.cli.CreateKeyBackupVersion(ctx, &mautrix.ReqRoomKeysVersionCreate[backup.MegolmAuthData]{
		Algorithm: id.KeyBackupAlgorithmMegolmBackupV1,
		AuthData:  backup.MegolmAuthData{PublicKey: id.Ed25519(base64.RawStdEncoding.EncodeToString(key.PublicKey().Bytes()))},
	})
	require.NoError(t, err)
	sessions, err := alice.store.GetGroupSessionsForRoom(ctx, room).AsList()
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
	put, err := alice.cli.PutKeysInBackup(ctx, version.Version, req)
	require.NoError(t, err)
	require.Equal(t, len(sessions), put.Count)

	phone := loginCrypto(t, s, alice.cli.UserID, "wonderland1")
	phone.sync(0)
	require.Empty(t, phone.decrypted(), "nothing to decrypt with before the restore")
	restored, err := phone.mach.DownloadAndStoreLatestKeyBackup(ctx, key)
	require.NoError(t, err)
	require.Equal(t, version.Version, restored)
	require.True(t, slices.Contains(phone.decrypted(), "before the new device"), "the restored key decrypts the old message")
}
