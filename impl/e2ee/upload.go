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

// UploadParams are a POST /keys/upload: a device's identity keys, one-time
// keys and fallback keys, each optional, as the signed bytes the client
// sent.
type UploadParams struct {
	User   id.UserID
	Device id.DeviceID
	// DeviceKeys are empty when the request has none.
	DeviceKeys json.RawMessage
	// OneTimeKeys and FallbackKeys are keyed "<algorithm>:<key ID>".
	OneTimeKeys, FallbackKeys map[string]json.RawMessage
}

// signedCurve25519 is the one-time key algorithm clients count on; its
// count is always reported, zero included (as Synapse does, for clients
// that take a missing count for "unknown").
const signedCurve25519 = "signed_curve25519"

// UploadKeys stores a device's keys and returns its unclaimed one-time key
// counts by algorithm. Device keys must be the uploading user's and
// device's and signed by the device's ed25519 key; signed one-time and
// fallback keys must carry that key's signature. Re-uploading a one-time
// key ID with other content is refused with M_INVALID_PARAM (identical
// re-uploads are fine). Changed device keys are announced in device lists.
func (s *Service) UploadKeys(ctx context.Context, p UploadParams) (map[string]int, error) {
	var counts map[string]int
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		changed, err := s.uploadKeysTx(ctx, tx, p)
		if err != nil {
			return err
		}
		if counts, err = s.oneTimeKeyCounts(ctx, tx, p.User, p.Device); err != nil {
			return err
		}
		if changed {
			return markChangedTx(ctx, tx, listChange{user: p.User})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// uploadKeysTx stores the keys of p and tells whether the device keys
// changed.
func (s *Service) uploadKeysTx(ctx context.Context, tx pgx.Tx, p UploadParams) (changed bool, err error) {
	stored, err := s.q.DeviceKeysGet(ctx, tx, db.DeviceKeysGetParams{UserID: p.User, DeviceID: p.Device})
	if err != nil && !pg.IsNoRows(err) {
		return false, fmt.Errorf("get device keys of %s %s: %w", p.User, p.Device, err)
	}
	ed25519 := stored.Ed25519
	if len(p.DeviceKeys) > 0 {
		newKey, err := checkDeviceKeys(p.User, p.Device, p.DeviceKeys)
		if err != nil {
			return false, err
		}
		if stored.KeyJson == nil || !sameJSON(stored.KeyJson, p.DeviceKeys) {
			changed = true
			err := s.q.DeviceKeysUpsert(ctx, tx, db.DeviceKeysUpsertParams{UserID: p.User, DeviceID: p.Device, KeyJson: p.DeviceKeys, Ed25519: newKey})
			if err != nil {
				return false, fmt.Errorf("store device keys of %s %s: %w", p.User, p.Device, err)
			}
			if ed25519 != "" && newKey != ed25519 {
				// New identity: what signed the old one says nothing of it.
				err := s.q.SignaturesDeleteForKeys(ctx, tx, db.SignaturesDeleteForKeysParams{UserID: string(p.User), Keys: []string{string(p.Device)}})
				if err != nil {
					return false, fmt.Errorf("forget signatures of %s %s: %w", p.User, p.Device, err)
				}
			}
		}
		ed25519 = newKey
	}
	if len(p.OneTimeKeys) > 0 {
		if err := s.storeOneTimeKeysTx(ctx, tx, p, ed25519); err != nil {
			return false, err
		}
	}
	if len(p.FallbackKeys) > 0 {
		if err := s.storeFallbackKeysTx(ctx, tx, p, ed25519); err != nil {
			return false, err
		}
	}
	return changed, nil
}

// checkDeviceKeys checks uploaded device keys (v1.19 client-server, device
// keys) and returns the device's ed25519 key.
func checkDeviceKeys(user id.UserID, device id.DeviceID, raw []byte) (string, error) {
	r, err := object(raw, "device_keys")
	if err != nil {
		return "", err
	}
	if r.Get("user_id").Str != string(user) {
		return "", mxerr.New(mxerr.InvalidParam, "device_keys.user_id must be %s", user)
	}
	if r.Get("device_id").Str != string(device) {
		return "", mxerr.New(mxerr.InvalidParam, "device_keys.device_id must be %s", device)
	}
	if algs := r.Get("algorithms"); !algs.IsArray() {
		return "", mxerr.New(mxerr.InvalidParam, "device_keys.algorithms must be a list")
	}
	keys := r.Get("keys")
	if !keys.IsObject() {
		return "", mxerr.New(mxerr.InvalidParam, "device_keys.keys must be an object")
	}
	keyID := ed25519KeyID(string(device))
	ed25519 := keys.Map()[keyID].Str
	if ed25519 == "" {
		return "", mxerr.New(mxerr.InvalidParam, "device_keys.keys has no %s key", keyID)
	}
	if err := verifySigned(raw, user, keyID, ed25519); err != nil {
		return "", err
	}
	return ed25519, nil
}

// checkOneTimeKey checks a one-time or fallback key: a signed key
// ("signed_" algorithms) must be an object with a key, signed by the
// device's ed25519 key; a curve25519 key is a string. Other algorithms are
// stored as they come.
func checkOneTimeKey(user id.UserID, device id.DeviceID, ed25519, name string, raw []byte) (algorithm, keyID string, err error) {
	algorithm, keyID, ok := splitKeyName(name)
	if !ok {
		return "", "", mxerr.New(mxerr.InvalidParam, "key name %q is not <algorithm>:<key ID>", name)
	}
	switch {
	case strings.HasPrefix(algorithm, "signed_"):
		r, err := object(raw, "key "+name)
		if err != nil {
			return "", "", err
		}
		if r.Get("key").Str == "" {
			return "", "", mxerr.New(mxerr.InvalidParam, "key %s has no key", name)
		}
		if ed25519 == "" {
			return "", "", mxerr.New(mxerr.InvalidParam, "signed key %s needs the device's keys: upload device_keys first", name)
		}
		if err := verifySigned(raw, user, ed25519KeyID(string(device)), ed25519); err != nil {
			return "", "", mxerr.Wrap(err, mxerr.InvalidSignature, "key "+name+" is not signed by the device").WithStatus(400)
		}
	case algorithm == "curve25519":
		var k string
		if err := json.Unmarshal(raw, &k); err != nil || k == "" {
			return "", "", mxerr.New(mxerr.InvalidParam, "key %s must be a string", name)
		}
	default:
		if _, err := object(raw, "key "+name); err != nil {
			var k string
			if json.Unmarshal(raw, &k) != nil {
				return "", "", mxerr.New(mxerr.InvalidParam, "key %s must be a string or an object", name)
			}
		}
	}
	return algorithm, keyID, nil
}

// storeOneTimeKeysTx adds one-time keys. A key ID the device still has
// must come with the same key.
func (s *Service) storeOneTimeKeysTx(ctx context.Context, tx pgx.Tx, p UploadParams, ed25519 string) error {
	n := len(p.OneTimeKeys)
	algs, ids, jsons := make([]string, 0, n), make([]string, 0, n), make([][]byte, 0, n)
	byName := make(map[string][]byte, n)
	for _, name := range slices.Sorted(maps.Keys(p.OneTimeKeys)) {
		raw := p.OneTimeKeys[name]
		alg, keyID, err := checkOneTimeKey(p.User, p.Device, ed25519, name, raw)
		if err != nil {
			return err
		}
		algs, ids, jsons = append(algs, alg), append(ids, keyID), append(jsons, raw)
		byName[alg+":"+keyID] = raw
	}
	inserted, err := s.q.OneTimeKeysInsert(ctx, tx, db.OneTimeKeysInsertParams{
		UserID: string(p.User), DeviceID: string(p.Device), Algorithms: algs, KeyIds: ids, KeyJsons: jsons,
	})
	if err != nil {
		return fmt.Errorf("store one-time keys of %s %s: %w", p.User, p.Device, err)
	}
	if len(inserted) == n {
		return nil
	}
	for _, r := range inserted {
		delete(byName, r.Algorithm+":"+r.KeyID)
	}
	algs, ids = algs[:0], ids[:0]
	for name := range byName {
		alg, keyID, _ := splitKeyName(name)
		algs, ids = append(algs, alg), append(ids, keyID)
	}
	existing, err := s.q.OneTimeKeysGet(ctx, tx, db.OneTimeKeysGetParams{
		UserID: string(p.User), DeviceID: string(p.Device), Algorithms: algs, KeyIds: ids,
	})
	if err != nil {
		return fmt.Errorf("read one-time keys of %s %s: %w", p.User, p.Device, err)
	}
	for _, e := range existing {
		name := e.Algorithm + ":" + e.KeyID
		if !sameKey(e.KeyJson, byName[name]) {
			// As Synapse: a client re-using a key ID has lost track of its
			// keys; storing either would hand out a key it cannot use.
			return mxerr.New(mxerr.InvalidParam, "one-time key %s already exists with other content", name)
		}
	}
	return nil
}

// storeFallbackKeysTx replaces the device's fallback keys, one per
// algorithm. Uploading the key already stored keeps its used flag.
func (s *Service) storeFallbackKeysTx(ctx context.Context, tx pgx.Tx, p UploadParams, ed25519 string) error {
	stored, err := s.q.FallbackKeysOfDevice(ctx, tx, db.FallbackKeysOfDeviceParams{UserID: p.User, DeviceID: p.Device})
	if err != nil {
		return fmt.Errorf("read fallback keys of %s %s: %w", p.User, p.Device, err)
	}
	seen := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(p.FallbackKeys)) {
		raw := p.FallbackKeys[name]
		alg, keyID, err := checkOneTimeKey(p.User, p.Device, ed25519, name, raw)
		if err != nil {
			return err
		}
		if seen[alg] {
			return mxerr.New(mxerr.InvalidParam, "at most one fallback key per algorithm (%s)", alg)
		}
		seen[alg] = true
		same := slices.ContainsFunc(stored, func(f db.FallbackKeysOfDeviceRow) bool {
			return f.Algorithm == alg && f.KeyID == keyID && sameKey(f.KeyJson, raw)
		})
		if same {
			continue
		}
		err = s.q.FallbackKeyUpsert(ctx, tx, db.FallbackKeyUpsertParams{UserID: p.User, DeviceID: p.Device, Algorithm: alg, KeyID: keyID, KeyJson: raw})
		if err != nil {
			return fmt.Errorf("store fallback key of %s %s: %w", p.User, p.Device, err)
		}
	}
	return nil
}

// oneTimeKeyCounts counts a device's unclaimed one-time keys by algorithm.
func (s *Service) oneTimeKeyCounts(ctx context.Context, q db.DBTX, user id.UserID, device id.DeviceID) (map[string]int, error) {
	rows, err := s.q.OneTimeKeyCounts(ctx, q, db.OneTimeKeyCountsParams{UserID: user, DeviceID: device})
	if err != nil {
		return nil, fmt.Errorf("count one-time keys of %s %s: %w", user, device, err)
	}
	counts := map[string]int{signedCurve25519: 0}
	for _, r := range rows {
		counts[r.Algorithm] = int(r.N)
	}
	return counts, nil
}
