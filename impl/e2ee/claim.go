package e2ee

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
)

// Claimed is the answer to a keys claim: one key per device, keyed
// "<algorithm>:<key ID>", and the servers that could not be asked.
type Claimed struct {
	OneTimeKeys map[id.UserID]map[id.DeviceID]map[string]json.RawMessage
	Failures    map[string]map[string]any
}

// ClaimKeys claims one one-time key of the requested algorithm for each
// device (POST /keys/claim). Each key is handed out once, whatever the
// concurrency: the claim deletes it in the statement that reads it,
// skipping keys a concurrent claim holds. A device with no one-time key
// left gets its fallback key, which is marked used and stays. Unknown
// users and devices are left out of the answer; users of other servers are
// asked through Remote within timeout, or reported in Failures.
func (s *Service) ClaimKeys(ctx context.Context, claims map[id.UserID]map[id.DeviceID]string, timeout time.Duration) (*Claimed, error) {
	out := &Claimed{OneTimeKeys: map[id.UserID]map[id.DeviceID]map[string]json.RawMessage{}, Failures: map[string]map[string]any{}}
	var users, devices, algs []string
	remote := map[string]map[id.UserID]map[id.DeviceID]string{}
	for user, devs := range claims {
		if !s.isLocal(user) {
			server := user.Homeserver()
			if remote[server] == nil {
				remote[server] = map[id.UserID]map[id.DeviceID]string{}
			}
			remote[server][user] = devs
			continue
		}
		for dev, alg := range devs {
			users, devices, algs = append(users, string(user)), append(devices, string(dev)), append(algs, alg)
		}
	}
	if len(users) > 0 {
		if err := s.claimLocal(ctx, users, devices, algs, out); err != nil {
			return nil, err
		}
	}
	s.claimRemote(ctx, remote, timeout, out)
	return out, nil
}

func (s *Service) claimLocal(ctx context.Context, users, devices, algs []string, out *Claimed) error {
	put := func(user id.UserID, device id.DeviceID, alg, keyID string, key []byte) {
		if out.OneTimeKeys[user] == nil {
			out.OneTimeKeys[user] = map[id.DeviceID]map[string]json.RawMessage{}
		}
		out.OneTimeKeys[user][device] = map[string]json.RawMessage{alg + ":" + keyID: key}
	}
	rows, err := s.q.OneTimeKeysClaim(ctx, s.pool, db.OneTimeKeysClaimParams{UserIds: users, DeviceIds: devices, Algorithms: algs})
	if err != nil {
		return fmt.Errorf("claim one-time keys: %w", err)
	}
	for _, r := range rows {
		put(r.UserID, r.DeviceID, r.Algorithm, r.KeyID, r.KeyJson)
	}
	if len(rows) == len(users) {
		return nil
	}
	// The devices left without a one-time key get their fallback key.
	var fu, fd, fa []string
	for i := range users {
		if _, ok := out.OneTimeKeys[id.UserID(users[i])][id.DeviceID(devices[i])]; !ok {
			fu, fd, fa = append(fu, users[i]), append(fd, devices[i]), append(fa, algs[i])
		}
	}
	fallback, err := s.q.FallbackKeysClaim(ctx, s.pool, db.FallbackKeysClaimParams{UserIds: fu, DeviceIds: fd, Algorithms: fa})
	if err != nil {
		return fmt.Errorf("claim fallback keys: %w", err)
	}
	for _, r := range fallback {
		put(r.UserID, r.DeviceID, r.Algorithm, r.KeyID, r.KeyJson)
	}
	return nil
}

// claimRemote asks other servers for their users' keys, each within
// timeout; a server that does not answer goes to failures.
func (s *Service) claimRemote(ctx context.Context, remote map[string]map[id.UserID]map[id.DeviceID]string, timeout time.Duration, out *Claimed) {
	for server, claim := range remote {
		if s.remote == nil {
			out.Failures[server] = remoteFailure(errNoFederation)
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, timeout)
		keys, err := s.remote.ClaimKeys(rctx, server, claim)
		cancel()
		if err != nil {
			out.Failures[server] = remoteFailure(err)
			continue
		}
		for user, devs := range keys {
			if user.Homeserver() == server {
				out.OneTimeKeys[user] = devs
			}
		}
	}
}

// remoteFailure is how a server that could not be asked is reported, as
// Synapse does.
func remoteFailure(err error) map[string]any {
	return map[string]any{"status": 503, "message": err.Error()}
}
