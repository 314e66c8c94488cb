package e2ee

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
)

// Queried is the answer to a keys query.
type Queried struct {
	DeviceKeys map[id.UserID]map[id.DeviceID]json.RawMessage
	// MasterKeys and SelfSigningKeys are every queried user's; UserSigning
	// the requester's own, if they asked for themselves.
	MasterKeys, SelfSigningKeys, UserSigningKeys map[id.UserID]json.RawMessage
	// Failures are the servers that could not be asked.
	Failures map[string]map[string]any
}

// Cross-signing key usages.
const (
	usageMaster      = "master"
	usageSelfSigning = "self_signing"
	usageUserSigning = "user_signing"
)

// QueryKeys answers POST /keys/query for requester: the device keys of the
// queried devices (all of a user's when the list is empty) with the
// display names in unsigned and the signatures requester may see merged
// in (by the key's own user, or by requester), and the users' cross-signing
// keys. Users of other servers are asked through Remote within timeout, or
// reported in Failures.
func (s *Service) QueryKeys(ctx context.Context, requester id.UserID, query map[id.UserID][]id.DeviceID, timeout time.Duration) (*Queried, error) {
	out := &Queried{
		DeviceKeys:      map[id.UserID]map[id.DeviceID]json.RawMessage{},
		MasterKeys:      map[id.UserID]json.RawMessage{},
		SelfSigningKeys: map[id.UserID]json.RawMessage{},
		UserSigningKeys: map[id.UserID]json.RawMessage{},
		Failures:        map[string]map[string]any{},
	}
	var local []string
	remote := map[string]map[id.UserID][]id.DeviceID{}
	for user, devices := range query {
		if s.isLocal(user) {
			local = append(local, string(user))
			continue
		}
		server := user.Homeserver()
		if remote[server] == nil {
			remote[server] = map[id.UserID][]id.DeviceID{}
		}
		remote[server][user] = devices
	}
	if len(local) > 0 {
		if err := s.queryLocal(ctx, requester, local, query, out); err != nil {
			return nil, err
		}
	}
	s.queryRemote(ctx, remote, timeout, out)
	return out, nil
}

// signatureSet indexes stored signatures by their target (user and device
// ID or public key).
type signatureSet map[id.UserID]map[string][]db.E2eSignature

func (ss signatureSet) apply(raw []byte, user id.UserID, target string) ([]byte, error) {
	for _, sig := range ss[user][target] {
		var err error
		if raw, err = withSignature(raw, id.UserID(sig.SignerUserID), sig.SignerKeyID, sig.Signature); err != nil {
			return nil, fmt.Errorf("merge signature of %s %s: %w", user, target, err)
		}
	}
	return raw, nil
}

func (s *Service) queryLocal(ctx context.Context, requester id.UserID, users []string, query map[id.UserID][]id.DeviceID, out *Queried) error {
	devices, err := s.q.DeviceKeysOfUsers(ctx, s.pool, users)
	if err != nil {
		return fmt.Errorf("read device keys: %w", err)
	}
	rows, err := s.q.SignaturesForViewer(ctx, s.pool, db.SignaturesForViewerParams{UserIds: users, Viewer: string(requester)})
	if err != nil {
		return fmt.Errorf("read signatures: %w", err)
	}
	sigs := signatureSet{}
	for _, r := range rows {
		u := id.UserID(r.TargetUserID)
		if sigs[u] == nil {
			sigs[u] = map[string][]db.E2eSignature{}
		}
		sigs[u][r.TargetKey] = append(sigs[u][r.TargetKey], r)
	}
	for _, d := range devices {
		if want := query[d.UserID]; len(want) > 0 && !slices.Contains(want, d.DeviceID) {
			continue
		}
		raw, err := sigs.apply(d.KeyJson, d.UserID, string(d.DeviceID))
		if err != nil {
			return err
		}
		if d.DisplayName != nil {
			if raw, err = withUnsigned(raw, "device_display_name", *d.DisplayName); err != nil {
				return fmt.Errorf("add display name of %s %s: %w", d.UserID, d.DeviceID, err)
			}
		}
		if out.DeviceKeys[d.UserID] == nil {
			out.DeviceKeys[d.UserID] = map[id.DeviceID]json.RawMessage{}
		}
		out.DeviceKeys[d.UserID][d.DeviceID] = raw
	}
	// A queried user with no device keys is still answered (with no
	// devices), as Synapse does, so clients know the query reached them.
	for _, u := range users {
		if out.DeviceKeys[id.UserID(u)] == nil {
			out.DeviceKeys[id.UserID(u)] = map[id.DeviceID]json.RawMessage{}
		}
	}
	keys, err := s.q.CrossSigningKeysOfUsers(ctx, s.pool, users)
	if err != nil {
		return fmt.Errorf("read cross-signing keys: %w", err)
	}
	for _, k := range keys {
		switch k.Usage {
		case usageMaster:
			raw, err := sigs.apply(k.KeyJson, k.UserID, k.PublicKey)
			if err != nil {
				return err
			}
			out.MasterKeys[k.UserID] = raw
		case usageSelfSigning:
			out.SelfSigningKeys[k.UserID] = k.KeyJson
		case usageUserSigning:
			if k.UserID == requester {
				out.UserSigningKeys[k.UserID] = k.KeyJson
			}
		}
	}
	return nil
}

// queryRemote asks other servers for their users' keys, each within
// timeout; a server that does not answer goes to failures.
func (s *Service) queryRemote(ctx context.Context, remote map[string]map[id.UserID][]id.DeviceID, timeout time.Duration, out *Queried) {
	for server, query := range remote {
		if s.remote == nil {
			out.Failures[server] = remoteFailure(errNoFederation)
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, timeout)
		keys, err := s.remote.QueryKeys(rctx, server, query)
		cancel()
		if err != nil {
			out.Failures[server] = remoteFailure(err)
			continue
		}
		for user, devs := range keys.DeviceKeys {
			if user.Homeserver() == server {
				out.DeviceKeys[user] = devs
			}
		}
		for user, k := range keys.MasterKeys {
			if user.Homeserver() == server {
				out.MasterKeys[user] = k
			}
		}
		for user, k := range keys.SelfSigningKeys {
			if user.Homeserver() == server {
				out.SelfSigningKeys[user] = k
			}
		}
	}
}
