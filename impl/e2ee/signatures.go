package e2ee

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
)

// SignatureFailures are the signatures of an upload that were refused, by
// user and key ID.
type SignatureFailures map[id.UserID]map[string]*mxerr.Error

func (f SignatureFailures) add(user id.UserID, key string, err *mxerr.Error) {
	if f[user] == nil {
		f[user] = map[string]*mxerr.Error{}
	}
	f[user][key] = err
}

// UploadSignatures stores the signatures of POST /keys/signatures/upload:
// for the uploader's own keys, devices signed by their self-signing key and
// their master key signed by their devices; for other users, master keys
// signed by the uploader's user-signing key. Each signed object must be
// the key stored, signatures aside. What is refused is reported per key
// (M_INVALID_SIGNATURE for a bad signature, M_NOT_FOUND for an unknown key,
// M_INVALID_PARAM for an object that is not the key stored); the rest is
// stored and announced in device lists (signatures of other users' keys to
// the uploader alone).
func (s *Service) UploadSignatures(ctx context.Context, user id.UserID, signed map[id.UserID]map[string]json.RawMessage) (SignatureFailures, error) {
	var failures SignatureFailures
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		failures = SignatureFailures{}
		if err := s.lockTx(ctx, tx, "cross_signing", user); err != nil {
			return err
		}
		own, err := s.crossSigningKeys(ctx, tx, user)
		if err != nil {
			return err
		}
		var changes []listChange
		if objs := signed[user]; len(objs) > 0 {
			n, err := s.ownSignaturesTx(ctx, tx, user, own, objs, failures)
			if err != nil {
				return err
			}
			if n > 0 {
				changes = append(changes, listChange{user: user})
			}
		}
		for _, target := range slices.Sorted(maps.Keys(signed)) {
			if target == user {
				continue
			}
			stored, err := s.otherSignatureTx(ctx, tx, user, own, target, signed[target], failures)
			if err != nil {
				return err
			}
			if stored {
				changes = append(changes, listChange{user: target, onlyFor: user})
			}
		}
		return markChangedTx(ctx, tx, changes...)
	})
	if err != nil {
		return nil, err
	}
	return failures, nil
}

var (
	errUnknownKey      = mxerr.New(mxerr.NotFound, "unknown key")
	errNoSignature     = mxerr.New(mxerr.InvalidSignature, "no new signature by a key that may sign this one").WithStatus(400)
	errKeyDoesNotMatch = mxerr.New(mxerr.InvalidParam, "the signed object is not the key stored")
)

// ownSignaturesTx checks and stores signatures of the user's own keys and
// returns how many it stored.
func (s *Service) ownSignaturesTx(ctx context.Context, tx pgx.Tx, user id.UserID, own map[string]crossSigningKey, objs map[string]json.RawMessage, failures SignatureFailures) (int, error) {
	rows, err := s.q.DeviceKeysEd25519OfUser(ctx, tx, user)
	if err != nil {
		return 0, fmt.Errorf("read device keys of %s: %w", user, err)
	}
	devices := make(map[string]db.DeviceKeysEd25519OfUserRow, len(rows))
	for _, r := range rows {
		devices[string(r.DeviceID)] = r
	}
	master, hasMaster := own[usageMaster]
	selfSigning, hasSelfSigning := own[usageSelfSigning]
	stored := 0
	for _, keyID := range slices.Sorted(maps.Keys(objs)) {
		obj := objs[keyID]
		if _, err := object(obj, "signed key "+keyID); err != nil {
			failures.add(user, keyID, mxerr.As(err))
			continue
		}
		var sigs []db.SignatureUpsertParams
		var fail *mxerr.Error
		switch {
		case hasMaster && keyID == master.public:
			// The master key, signed by the user's devices.
			sigs, fail = masterSignedByDevices(user, master, obj, devices)
		case devices[keyID].KeyJson != nil:
			if !hasSelfSigning {
				fail = mxerr.New(mxerr.NotFound, "no self-signing key to sign devices with")
				break
			}
			sigs, fail = signedBy(user, keyID, devices[keyID].KeyJson, obj, user, selfSigning.public)
		default:
			fail = errUnknownKey
		}
		if fail != nil {
			failures.add(user, keyID, fail)
			continue
		}
		for _, sig := range sigs {
			if err := s.q.SignatureUpsert(ctx, tx, sig); err != nil {
				return 0, fmt.Errorf("store signature of %s %s: %w", user, keyID, err)
			}
			stored++
		}
	}
	return stored, nil
}

// otherSignatureTx checks and stores the uploader's signature of another
// user's master key by the uploader's user-signing key.
func (s *Service) otherSignatureTx(ctx context.Context, tx pgx.Tx, user id.UserID, own map[string]crossSigningKey, target id.UserID, objs map[string]json.RawMessage, failures SignatureFailures) (bool, error) {
	failAll := func(err *mxerr.Error) (bool, error) {
		for keyID := range objs {
			failures.add(target, keyID, err)
		}
		return false, nil
	}
	userSigning, ok := own[usageUserSigning]
	if !ok {
		return failAll(mxerr.New(mxerr.NotFound, "no user-signing key to sign other users with"))
	}
	// TODO(#5): other servers' users' master keys come with federation.
	theirs, err := s.crossSigningKeys(ctx, tx, target)
	if err != nil {
		return false, err
	}
	master, ok := theirs[usageMaster]
	if !ok {
		return failAll(mxerr.New(mxerr.NotFound, "%s has no master key", target))
	}
	stored := false
	for keyID, obj := range objs {
		if keyID != master.public {
			failures.add(target, keyID, errUnknownKey)
			continue
		}
		if _, err := object(obj, "signed key "+keyID); err != nil {
			failures.add(target, keyID, mxerr.As(err))
			continue
		}
		sigs, fail := signedBy(target, keyID, master.raw, obj, user, userSigning.public)
		if fail != nil {
			failures.add(target, keyID, fail)
			continue
		}
		for _, sig := range sigs {
			if err := s.q.SignatureUpsert(ctx, tx, sig); err != nil {
				return false, fmt.Errorf("store signature of %s's master key: %w", target, err)
			}
			stored = true
		}
	}
	return stored, nil
}

// signedBy checks signer's signature by their key pub of obj, which must be
// the key stored (owner's key target), and returns it to store.
func signedBy(owner id.UserID, target string, stored, obj []byte, signer id.UserID, pub string) ([]db.SignatureUpsertParams, *mxerr.Error) {
	keyID := ed25519KeyID(pub)
	sig := signatureOf(obj, signer, keyID)
	if sig == "" {
		return nil, errNoSignature
	}
	if !sameKey(stored, obj) {
		return nil, errKeyDoesNotMatch
	}
	if signatureOf(stored, signer, keyID) == sig {
		return nil, nil // already in the key as uploaded
	}
	if err := verifySigned(obj, signer, keyID, pub); err != nil {
		return nil, mxerr.As(err)
	}
	return []db.SignatureUpsertParams{{
		TargetUserID: string(owner), TargetKey: target, SignerUserID: string(signer), SignerKeyID: keyID, Signature: sig,
	}}, nil
}

// masterSignedByDevices checks the signatures of the user's devices on
// their master key. Signatures the stored key already carries (clients
// upload it signed by the device that made it) are skipped, as is one by
// the master key itself; any other must be a device's.
func masterSignedByDevices(user id.UserID, master crossSigningKey, obj []byte, devices map[string]db.DeviceKeysEd25519OfUserRow) ([]db.SignatureUpsertParams, *mxerr.Error) {
	if !sameKey(master.raw, obj) {
		return nil, errKeyDoesNotMatch
	}
	already := signaturesBy(master.raw, user)
	sent := signaturesBy(obj, user)
	if len(sent) == 0 {
		return nil, errNoSignature
	}
	var out []db.SignatureUpsertParams
	for keyID, sig := range sent {
		if already[keyID] == sig || keyID == ed25519KeyID(master.public) {
			continue // stored with the key, or the key's own: nothing to add
		}
		deviceID, ok := strings.CutPrefix(keyID, "ed25519:")
		d, known := devices[deviceID]
		if !ok || !known {
			return nil, mxerr.New(mxerr.InvalidSignature, "%s is not a key of one of your devices", keyID).WithStatus(400)
		}
		if err := verifySigned(obj, user, keyID, d.Ed25519); err != nil {
			return nil, mxerr.As(err)
		}
		out = append(out, db.SignatureUpsertParams{
			TargetUserID: string(user), TargetKey: master.public, SignerUserID: string(user), SignerKeyID: keyID, Signature: sig,
		})
	}
	return out, nil
}
