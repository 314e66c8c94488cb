package clientapi

import (
	"context"
	"encoding/json"
	"time"

	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/e2ee"
	"github.com/hearth-hs/hearth/impl/mxid"
)

// defaultKeysTimeout is how long keys/query and keys/claim wait for other
// servers when the client names no timeout (the spec's recommended 10s).
const defaultKeysTimeout = 10 * time.Second

func keysTimeout(ms *int) time.Duration {
	if ms == nil || *ms <= 0 {
		return defaultKeysTimeout
	}
	return min(time.Duration(*ms)*time.Millisecond, time.Minute)
}

func rawKeys(k *api.OneTimeKeys) map[string]json.RawMessage {
	if k == nil {
		return nil
	}
	return *k
}

// UploadKeys serves POST /_matrix/client/v3/keys/upload.
func (s *Server) UploadKeys(ctx context.Context, r api.UploadKeysRequestObject) (api.UploadKeysResponseObject, error) {
	who := accounts.Caller(ctx)
	counts, err := s.keys.UploadKeys(ctx, e2ee.UploadParams{
		User: who.UserID, Device: who.DeviceID, DeviceKeys: r.Body.DeviceKeys,
		OneTimeKeys: rawKeys(r.Body.OneTimeKeys), FallbackKeys: rawKeys(r.Body.FallbackKeys),
	})
	if err != nil {
		return nil, err
	}
	return api.UploadKeys200JSONResponse{OneTimeKeyCounts: counts}, nil
}

// QueryKeys serves POST /_matrix/client/v3/keys/query.
func (s *Server) QueryKeys(ctx context.Context, r api.QueryKeysRequestObject) (api.QueryKeysResponseObject, error) {
	query := make(map[id.UserID][]id.DeviceID, len(r.Body.DeviceKeys))
	for u, devices := range r.Body.DeviceKeys {
		user, err := mxid.ParseUserID(u)
		if err != nil {
			return nil, err
		}
		ids := make([]id.DeviceID, len(devices))
		for i, d := range devices {
			ids[i] = id.DeviceID(d)
		}
		query[user] = ids
	}
	q, err := s.keys.QueryKeys(ctx, accounts.Caller(ctx).UserID, query, keysTimeout(r.Body.Timeout))
	if err != nil {
		return nil, err
	}
	devices := make(map[string]map[string]json.RawMessage, len(q.DeviceKeys))
	for u, byDevice := range q.DeviceKeys {
		m := make(map[string]json.RawMessage, len(byDevice))
		for d, k := range byDevice {
			m[string(d)] = k
		}
		devices[string(u)] = m
	}
	return api.QueryKeys200JSONResponse{
		DeviceKeys:      &devices,
		MasterKeys:      ptr(byUser(q.MasterKeys)),
		SelfSigningKeys: ptr(byUser(q.SelfSigningKeys)),
		UserSigningKeys: ptr(byUser(q.UserSigningKeys)),
		Failures:        ptr(q.Failures),
	}, nil
}

func byUser(keys map[id.UserID]json.RawMessage) map[string]api.CrossSigningKey {
	out := make(map[string]api.CrossSigningKey, len(keys))
	for u, k := range keys {
		out[string(u)] = k
	}
	return out
}

// ClaimKeys serves POST /_matrix/client/v3/keys/claim.
func (s *Server) ClaimKeys(ctx context.Context, r api.ClaimKeysRequestObject) (api.ClaimKeysResponseObject, error) {
	claims := make(map[id.UserID]map[id.DeviceID]string, len(r.Body.OneTimeKeys))
	for u, devices := range r.Body.OneTimeKeys {
		user, err := mxid.ParseUserID(u)
		if err != nil {
			return nil, err
		}
		m := make(map[id.DeviceID]string, len(devices))
		for d, alg := range devices {
			m[id.DeviceID(d)] = alg
		}
		claims[user] = m
	}
	c, err := s.keys.ClaimKeys(ctx, claims, keysTimeout(r.Body.Timeout))
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]api.OneTimeKeys, len(c.OneTimeKeys))
	for u, byDevice := range c.OneTimeKeys {
		m := make(map[string]api.OneTimeKeys, len(byDevice))
		for d, k := range byDevice {
			m[string(d)] = k
		}
		out[string(u)] = m
	}
	return api.ClaimKeys200JSONResponse{OneTimeKeys: out, Failures: ptr(c.Failures)}, nil
}

// GetKeysChanges serves GET /_matrix/client/v3/keys/changes.
func (s *Server) GetKeysChanges(ctx context.Context, r api.GetKeysChangesRequestObject) (api.GetKeysChangesResponseObject, error) {
	changed, left, err := s.keys.KeyChanges(ctx, accounts.Caller(ctx).UserID, r.Params.From, r.Params.To)
	if err != nil {
		return nil, err
	}
	return api.GetKeysChanges200JSONResponse{Changed: ptr(userStrings(changed)), Left: ptr(userStrings(left))}, nil
}

func userStrings(users []id.UserID) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = string(u)
	}
	return out
}

// UploadCrossSigningKeys serves POST /_matrix/client/v3/keys/device_signing/upload.
func (s *Server) UploadCrossSigningKeys(ctx context.Context, r api.UploadCrossSigningKeysRequestObject) (api.UploadCrossSigningKeysResponseObject, error) {
	err := s.keys.UploadCrossSigningKeys(ctx, e2ee.CrossSigningParams{
		User: accounts.Caller(ctx).UserID, Master: r.Body.MasterKey, SelfSigning: r.Body.SelfSigningKey,
		UserSigning: r.Body.UserSigningKey, Auth: authData(r.Body.Auth),
	})
	if err != nil {
		return nil, err
	}
	return api.UploadCrossSigningKeys200JSONResponse{}, nil
}

// UploadCrossSigningSignatures serves POST /_matrix/client/v3/keys/signatures/upload.
func (s *Server) UploadCrossSigningSignatures(ctx context.Context, r api.UploadCrossSigningSignaturesRequestObject) (api.UploadCrossSigningSignaturesResponseObject, error) {
	signed := make(map[id.UserID]map[string]json.RawMessage, len(*r.Body))
	for u, keys := range *r.Body {
		user, err := mxid.ParseUserID(u)
		if err != nil {
			return nil, err
		}
		signed[user] = keys
	}
	failures, err := s.keys.UploadSignatures(ctx, accounts.Caller(ctx).UserID, signed)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]map[string]any, len(failures))
	for u, byKey := range failures {
		m := make(map[string]map[string]any, len(byKey))
		for k, e := range byKey {
			m[k] = map[string]any{"errcode": e.Code, "error": e.Message}
		}
		out[string(u)] = m
	}
	return api.UploadCrossSigningSignatures200JSONResponse{Failures: &out}, nil
}
