package push

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
)

// PusherKindHTTP is the one kind of pusher hearth runs: it posts to a push
// gateway.
const PusherKindHTTP = "http"

// NotifyPath is the path every pusher URL must end in (v1.19: the push
// gateway API's notify endpoint).
const NotifyPath = "/_matrix/push/v1/notify"

// FormatEventIDOnly asks for notifications without the event's details.
const FormatEventIDOnly = "event_id_only"

// PusherParams are the body of POST /pushers/set.
type PusherParams struct {
	// Kind nil deletes the pusher.
	Kind              *string
	AppID, Pushkey    string
	AppDisplayName    *string
	DeviceDisplayName *string
	ProfileTag        *string
	Lang              *string
	// Data is the data object as sent; nil when absent.
	Data json.RawMessage
	// Append keeps other users' pushers of the same app and pushkey.
	Append bool
}

// Pusher is a pusher as GET /pushers shows it.
type Pusher struct {
	AppID, Pushkey, Kind              string
	AppDisplayName, DeviceDisplayName string
	ProfileTag                        *string
	Lang                              string
	Data                              json.RawMessage
}

// SetPusher creates, updates or (Kind nil) deletes one of user's pushers,
// keyed by app ID and pushkey. Only http pushers exist here; their data
// must hold an http(s) url ending in NotifyPath. Missing fields are
// M_MISSING_PARAM, bad ones M_INVALID_PARAM. Unless p.Append, other users'
// pushers with the same app ID and pushkey are removed.
func (s *Service) SetPusher(ctx context.Context, user id.UserID, device id.DeviceID, p PusherParams) error {
	if p.AppID == "" || p.Pushkey == "" {
		return mxerr.New(mxerr.MissingParam, "app_id and pushkey are required")
	}
	if utf8.RuneCountInString(p.AppID) > 64 {
		return mxerr.New(mxerr.InvalidParam, "app_id is longer than 64 characters")
	}
	if len(p.Pushkey) > 512 {
		return mxerr.New(mxerr.InvalidParam, "pushkey is longer than 512 bytes")
	}
	key := db.PusherDeleteParams{UserID: user, AppID: p.AppID, Pushkey: p.Pushkey}
	if p.Kind == nil {
		if err := s.q.PusherDelete(ctx, s.pool, key); err != nil {
			return fmt.Errorf("delete pusher of %s: %w", user, err)
		}
		return nil
	}
	var missing []string
	for _, f := range []struct {
		name string
		v    *string
	}{{"app_display_name", p.AppDisplayName}, {"device_display_name", p.DeviceDisplayName}, {"lang", p.Lang}} {
		if f.v == nil {
			missing = append(missing, f.name)
		}
	}
	if p.Data == nil {
		missing = append(missing, "data")
	}
	if len(missing) > 0 {
		return mxerr.New(mxerr.MissingParam, "missing parameters: %s", strings.Join(missing, ", "))
	}
	if *p.Kind != PusherKindHTTP {
		return mxerr.New(mxerr.InvalidParam, "unsupported pusher kind %q: this server runs http pushers", *p.Kind)
	}
	data := gjson.ParseBytes(p.Data)
	if !data.IsObject() {
		return mxerr.New(mxerr.InvalidParam, "data must be an object")
	}
	u := data.Get("url")
	if !u.Exists() {
		return mxerr.New(mxerr.MissingParam, "data.url is required for http pushers")
	}
	gateway, err := checkGatewayURL(u)
	if err != nil {
		return err
	}
	if f := data.Get("format"); f.Exists() && (f.Type != gjson.String || f.Str != FormatEventIDOnly) {
		return mxerr.New(mxerr.InvalidParam, "data.format must be %q when set", FormatEventIDOnly)
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if !p.Append {
			if err := s.q.PusherDeleteOthers(ctx, tx, db.PusherDeleteOthersParams{AppID: p.AppID, Pushkey: p.Pushkey, UserID: user}); err != nil {
				return fmt.Errorf("delete other pushers: %w", err)
			}
		}
		err := s.q.PusherUpsert(ctx, tx, db.PusherUpsertParams{
			UserID: user, AppID: p.AppID, Pushkey: p.Pushkey, Kind: *p.Kind,
			AppDisplayName: *p.AppDisplayName, DeviceDisplayName: *p.DeviceDisplayName, ProfileTag: p.ProfileTag,
			Lang: *p.Lang, Data: compact(p.Data), Url: gateway, DeviceID: device, PushkeyTs: s.now().Unix(),
		})
		if err != nil {
			return fmt.Errorf("store pusher of %s: %w", user, err)
		}
		return nil
	})
}

// checkGatewayURL accepts an http(s) URL with a host whose path is
// NotifyPath, and returns it.
func checkGatewayURL(v gjson.Result) (string, error) {
	bad := func(why string) error {
		return mxerr.New(mxerr.InvalidParam, "data.url %s: want an http(s) URL ending in %s", why, NotifyPath)
	}
	if v.Type != gjson.String {
		return "", bad("is not a string")
	}
	u, err := url.Parse(v.Str)
	switch {
	case err != nil:
		return "", bad("does not parse")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", bad("has scheme " + u.Scheme)
	case u.Host == "":
		return "", bad("has no host")
	case u.Path != NotifyPath:
		return "", bad("has path " + u.Path)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return "", bad("has a query, a fragment or credentials")
	}
	return v.Str, nil
}

// Pushers returns a user's pushers.
func (s *Service) Pushers(ctx context.Context, user id.UserID) ([]Pusher, error) {
	rows, err := s.q.PushersOfUser(ctx, s.pool, user)
	if err != nil {
		return nil, fmt.Errorf("read pushers of %s: %w", user, err)
	}
	out := make([]Pusher, len(rows))
	for i, r := range rows {
		out[i] = Pusher{AppID: r.AppID, Pushkey: r.Pushkey, Kind: r.Kind, AppDisplayName: r.AppDisplayName,
			DeviceDisplayName: r.DeviceDisplayName, ProfileTag: r.ProfileTag, Lang: r.Lang, Data: r.Data}
	}
	return out, nil
}
