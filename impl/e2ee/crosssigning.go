package e2ee

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
)

// CrossSigningParams are a POST /keys/device_signing/upload: the keys the
// client sends (empty ones are absent) and its UIA answer.
type CrossSigningParams struct {
	User                             id.UserID
	Master, SelfSigning, UserSigning json.RawMessage
	Auth                             *accounts.AuthData
}

// crossSigningKey is a checked cross-signing key.
type crossSigningKey struct {
	usage, public string
	raw           []byte
}

// UploadCrossSigningKeys stores a user's cross-signing keys. User-
// interactive auth is asked for unless the user has no master key yet or
// every key sent is the one stored (v1.19 client-server, since v1.11), so
// that a first upload, or a retried one, goes through. Each key must be the
// user's, of its usage, with one ed25519 key; the self-signing and user-
// signing keys must be signed by the master key sent or stored. The master
// and self-signing keys are announced in device lists to everyone sharing
// a room with the user; the user-signing key to the user alone.
func (s *Service) UploadCrossSigningKeys(ctx context.Context, p CrossSigningParams) error {
	keys, err := checkCrossSigningKeys(p)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	// Decide on UIA outside the transaction that writes (UIA writes its own
	// session state), then check again under the lock: a concurrent first
	// upload must not let a second one through without auth.
	authed := false
	for {
		stored, err := s.crossSigningKeys(ctx, s.pool, p.User)
		if err != nil {
			return err
		}
		if !authed && needsAuth(stored, keys) {
			if err := s.accounts.Interactive(ctx, accounts.OpCrossSigning, p.User, p.Auth); err != nil {
				return err
			}
			authed = true
		}
		raced := false
		err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
			if err := s.lockTx(ctx, tx, "cross_signing", p.User); err != nil {
				return err
			}
			stored, err := s.crossSigningKeys(ctx, tx, p.User)
			if err != nil {
				return err
			}
			if !authed && needsAuth(stored, keys) {
				raced = true
				return nil
			}
			return s.storeCrossSigningKeysTx(ctx, tx, p.User, keys, stored)
		})
		if err != nil || !raced {
			return err
		}
	}
}

// checkCrossSigningKeys checks the shape of each key sent; signatures are
// checked against the master key in storeCrossSigningKeysTx.
func checkCrossSigningKeys(p CrossSigningParams) (map[string]crossSigningKey, error) {
	keys := map[string]crossSigningKey{}
	for usage, raw := range map[string]json.RawMessage{usageMaster: p.Master, usageSelfSigning: p.SelfSigning, usageUserSigning: p.UserSigning} {
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		pub, err := checkCrossSigningKey(p.User, usage, raw)
		if err != nil {
			return nil, err
		}
		keys[usage] = crossSigningKey{usage: usage, public: pub, raw: raw}
	}
	return keys, nil
}

// checkCrossSigningKey checks a cross-signing key's shape (v1.19 client-
// server, cross-signing) and returns its public key.
func checkCrossSigningKey(user id.UserID, usage string, raw []byte) (string, error) {
	r, err := object(raw, usage+" key")
	if err != nil {
		return "", err
	}
	if r.Get("user_id").Str != string(user) {
		return "", mxerr.New(mxerr.InvalidParam, "%s key: user_id must be %s", usage, user)
	}
	hasUsage := false
	for _, u := range r.Get("usage").Array() {
		hasUsage = hasUsage || u.Str == usage
	}
	if !hasUsage {
		return "", mxerr.New(mxerr.InvalidParam, "%s key: usage must include %q", usage, usage)
	}
	keys := r.Get("keys").Map()
	if len(keys) != 1 {
		return "", mxerr.New(mxerr.InvalidParam, "%s key: keys must hold exactly one key", usage)
	}
	for name, v := range keys {
		pub, ok := strings.CutPrefix(name, "ed25519:")
		if !ok || pub == "" || v.Str != pub {
			return "", mxerr.New(mxerr.InvalidParam, "%s key: the key must be \"ed25519:<public key>\": \"<public key>\"", usage)
		}
		return pub, nil
	}
	return "", nil
}

// needsAuth tells whether uploading keys replaces anything: a master key
// exists and a key sent differs from the one stored.
func needsAuth(stored map[string]crossSigningKey, keys map[string]crossSigningKey) bool {
	if _, ok := stored[usageMaster]; !ok {
		return false
	}
	for usage, k := range keys {
		old, ok := stored[usage]
		if !ok || !sameJSON(old.raw, k.raw) {
			return true
		}
	}
	return false
}

func (s *Service) crossSigningKeys(ctx context.Context, q db.DBTX, user id.UserID) (map[string]crossSigningKey, error) {
	rows, err := s.q.CrossSigningKeysOfUser(ctx, q, user)
	if err != nil {
		return nil, fmt.Errorf("read cross-signing keys of %s: %w", user, err)
	}
	out := make(map[string]crossSigningKey, len(rows))
	for _, r := range rows {
		out[r.Usage] = crossSigningKey{usage: r.Usage, public: r.PublicKey, raw: r.KeyJson}
	}
	return out, nil
}

func (s *Service) storeCrossSigningKeysTx(ctx context.Context, tx pgx.Tx, user id.UserID, keys, stored map[string]crossSigningKey) error {
	master, ok := keys[usageMaster]
	if !ok {
		if master, ok = stored[usageMaster]; !ok {
			return mxerr.New(mxerr.MissingParam, "no master key is available: upload one")
		}
	}
	for _, usage := range []string{usageSelfSigning, usageUserSigning} {
		if k, ok := keys[usage]; ok {
			if err := verifySigned(k.raw, user, ed25519KeyID(master.public), master.public); err != nil {
				return mxerr.Wrap(err, mxerr.InvalidSignature, "the "+usage+" key is not signed by the master key").WithStatus(400)
			}
		}
	}
	devices, err := s.q.DevicesOfUsers(ctx, tx, []string{string(user)})
	if err != nil {
		return fmt.Errorf("read devices of %s: %w", user, err)
	}
	var changes []listChange
	for _, usage := range []string{usageMaster, usageSelfSigning, usageUserSigning} {
		k, ok := keys[usage]
		if !ok {
			continue
		}
		for _, d := range devices {
			if string(d.DeviceID) == k.public {
				// Signatures of a device and of a key are told apart by
				// their target's ID (v1.19 client-server, 403 "Key ID in use").
				return mxerr.New(mxerr.Forbidden, "the %s public key is the ID of one of your devices", usage)
			}
		}
		if old, ok := stored[usage]; ok && sameJSON(old.raw, k.raw) {
			continue
		}
		err := s.q.CrossSigningKeyUpsert(ctx, tx, db.CrossSigningKeyUpsertParams{UserID: user, Usage: usage, PublicKey: k.public, KeyJson: k.raw})
		if err != nil {
			return fmt.Errorf("store %s key of %s: %w", usage, user, err)
		}
		c := listChange{user: user}
		if usage == usageUserSigning {
			c.onlyFor = user
		}
		changes = append(changes, c)
	}
	return markChangedTx(ctx, tx, changes...)
}
