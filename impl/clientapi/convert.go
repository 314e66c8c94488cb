package clientapi

import (
	"maunium.net/go/mautrix/id"

	api "github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/impl/accounts"
)

// authData reads the `auth` object of a UIA request. The stage fields are
// not in the generated type (the spec leaves them to each stage), so they
// come from its additional properties.
func authData(a *api.AuthData) *accounts.AuthData {
	if a == nil {
		return nil
	}
	out := &accounts.AuthData{Type: deref(a.Type), Session: deref(a.Session)}
	out.Password = stringProp(a.AdditionalProperties, "password")
	out.Token = stringProp(a.AdditionalProperties, "token")
	out.User = stringProp(a.AdditionalProperties, "user") // deprecated form
	if ident, ok := a.AdditionalProperties["identifier"].(map[string]any); ok {
		if u, ok := ident["user"].(string); ok && ident["type"] == "m.id.user" {
			out.User = u
		}
	}
	return out
}

func stringProp(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// deviceOptions reads the device fields login and registration share.
func deviceOptions(deviceID, displayName *string, refresh *bool) accounts.DeviceOptions {
	return accounts.DeviceOptions{
		DeviceID:    id.DeviceID(deref(deviceID)),
		DisplayName: displayName,
		Refresh:     deref(refresh),
	}
}

// expiresInMs is the expires_in_ms of a session, absent when the access
// token does not expire.
func expiresInMs(s accounts.Session) *int {
	if s.ExpiresIn == 0 {
		return nil
	}
	return ptr(int(s.ExpiresIn.Milliseconds()))
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
