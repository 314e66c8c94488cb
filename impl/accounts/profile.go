package accounts

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/crypto/canonicaljson"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/mxid"
	"github.com/hearth-hs/hearth/impl/pg"
)

// The profile fields the spec defines (v1.19 client-server, Profiles).
// The display name and avatar are also carried by member events.
const (
	FieldDisplayName = "displayname"
	FieldAvatarURL   = "avatar_url"
	FieldTimeZone    = "m.tz"
)

// Profile limits. The whole profile and the key length are the spec's
// (v1.19 client-server, PUT /profile/{userId}/{keyName}); the display name
// and avatar limits are Synapse's, since member events repeat both in
// every room.
const (
	MaxProfileBytes     = 64 << 10 // the profile as canonical JSON
	MaxProfileKeyBytes  = 255
	maxDisplayNameRunes = 256
	maxAvatarURLBytes   = 1000
)

// Errors of profile changes the spec names.
const (
	errcodeProfileTooLarge = "M_PROFILE_TOO_LARGE"
	errcodeKeyTooLarge     = "M_KEY_TOO_LARGE"
)

// profileKey is the grammar of profile field names: the spec's fields, or
// a custom field in the common namespaced identifier grammar.
var profileKey = regexp.MustCompile(`^(avatar_url|displayname|m\.tz|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$`)

var errProfileNotFound = mxerr.New(mxerr.NotFound, "profile not found")

// Profile is a user's profile.
type Profile struct {
	// DisplayName and AvatarURL are "" when unset.
	DisplayName string
	AvatarURL   string
	// Fields are the other fields (m.tz, custom fields), each value as the
	// JSON the client set.
	Fields map[string]json.RawMessage
}

// Field returns the JSON value of one field, and whether it is set.
func (p *Profile) Field(key string) (json.RawMessage, bool) {
	switch key {
	case FieldDisplayName:
		return jsonString(p.DisplayName), p.DisplayName != ""
	case FieldAvatarURL:
		return jsonString(p.AvatarURL), p.AvatarURL != ""
	}
	v, ok := p.Fields[key]
	return v, ok
}

// All returns every field that is set, as JSON values by key.
func (p *Profile) All() map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(p.Fields)+2)
	maps.Copy(out, p.Fields)
	for _, k := range []string{FieldDisplayName, FieldAvatarURL} {
		if v, ok := p.Field(k); ok {
			out[k] = v
		}
	}
	return out
}

// size is the profile's size as the spec measures it: its canonical JSON.
func (p *Profile) size() (int, error) {
	b, err := json.Marshal(p.All())
	if err != nil {
		return 0, fmt.Errorf("encode profile: %w", err)
	}
	if c, err := canonicaljson.CanonicalJSON(b); err == nil {
		return len(c), nil
	}
	// Values canonical JSON has no form for (floats) count as written.
	return len(b), nil
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string: cannot fail
	return b
}

// Profile returns the display name and avatar a local user's member events
// carry ("" when unset, or for users with no account). The room engine
// calls it for every join (rooms.Profiles).
func (s *Service) Profile(ctx context.Context, user id.UserID) (displayName, avatarURL string, err error) {
	row, err := s.q.ProfileMember(ctx, s.pool, user)
	if pg.IsNoRows(err) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("read profile of %s: %w", user, err)
	}
	return strOrEmpty(row.Displayname), strOrEmpty(row.AvatarUrl), nil
}

// LocalProfile returns a local user's whole profile; users with no account
// are M_NOT_FOUND.
func (s *Service) LocalProfile(ctx context.Context, user id.UserID) (*Profile, error) {
	row, err := s.q.ProfileGet(ctx, s.pool, user)
	if pg.IsNoRows(err) {
		return nil, errProfileNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read profile of %s: %w", user, err)
	}
	return profileOf(row.Displayname, row.AvatarUrl, row.Fields, user)
}

func profileOf(name, avatar *string, fields []byte, user id.UserID) (*Profile, error) {
	p := &Profile{DisplayName: strOrEmpty(name), AvatarURL: strOrEmpty(avatar), Fields: map[string]json.RawMessage{}}
	if err := json.Unmarshal(fields, &p.Fields); err != nil {
		return nil, fmt.Errorf("decode profile fields of %s: %w", user, err)
	}
	return p, nil
}

// changeProfile applies change to a local user's profile in one
// transaction that holds the user's row, checks the size of the result and
// stores it. It reports whether what member events carry (display name or
// avatar) changed. Users with no account are M_NOT_FOUND.
func (s *Service) changeProfile(ctx context.Context, user id.UserID, change func(*Profile) error) (memberChanged bool, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		row, err := s.q.ProfileGetForUpdate(ctx, tx, user)
		if pg.IsNoRows(err) {
			return errProfileNotFound
		}
		if err != nil {
			return fmt.Errorf("read profile of %s: %w", user, err)
		}
		p, err := profileOf(row.Displayname, row.AvatarUrl, row.Fields, user)
		if err != nil {
			return err
		}
		before := *p
		if err := change(p); err != nil {
			return err
		}
		size, err := p.size()
		if err != nil {
			return err
		}
		if size > MaxProfileBytes {
			return mxerr.New(errcodeProfileTooLarge, "the profile would exceed %d bytes", MaxProfileBytes)
		}
		memberChanged = p.DisplayName != before.DisplayName || p.AvatarURL != before.AvatarURL
		return s.storeProfileTx(ctx, tx, user, p)
	})
	return memberChanged, err
}

func (s *Service) storeProfileTx(ctx context.Context, tx pgx.Tx, user id.UserID, p *Profile) error {
	fields, err := json.Marshal(p.Fields)
	if err != nil {
		return fmt.Errorf("encode profile fields of %s: %w", user, err)
	}
	if err := s.q.ProfileUpsert(ctx, tx, db.ProfileUpsertParams{
		UserID: user, Displayname: optionalString(p.DisplayName), AvatarUrl: optionalString(p.AvatarURL), Fields: fields,
	}); err != nil {
		return fmt.Errorf("store profile of %s: %w", user, err)
	}
	return nil
}

// createProfileTx gives a new account its first profile: the display name
// only, as homeservers do at registration.
func (s *Service) createProfileTx(ctx context.Context, tx pgx.Tx, user id.UserID, displayName string) error {
	return s.storeProfileTx(ctx, tx, user, &Profile{DisplayName: truncateRunes(displayName, maxDisplayNameRunes), Fields: map[string]json.RawMessage{}})
}

// clearProfileTx forgets a user's profile (deactivation with erase).
func (s *Service) clearProfileTx(ctx context.Context, tx pgx.Tx, user id.UserID) error {
	if err := s.q.ProfileDelete(ctx, tx, user); err != nil {
		return fmt.Errorf("erase profile of %s: %w", user, err)
	}
	return nil
}

// checkProfileKey checks a field name: M_INVALID_PARAM outside the
// grammar, M_KEY_TOO_LARGE over 255 bytes.
func checkProfileKey(key string) error {
	if len(key) > MaxProfileKeyBytes {
		return mxerr.New(errcodeKeyTooLarge, "profile keys are at most %d bytes", MaxProfileKeyBytes)
	}
	if !profileKey.MatchString(key) {
		return mxerr.New(mxerr.InvalidParam, "invalid profile key %q", key)
	}
	return nil
}

// setField sets key to the JSON value v, checking the values the spec
// types: the display name, avatar and time zone are strings (M_BAD_JSON
// otherwise), the avatar an mxc:// URI (M_INVALID_PARAM). An empty display
// name or avatar removes it, as clients have long done to clear them.
func setField(p *Profile, key string, v json.RawMessage) error {
	switch key {
	case FieldDisplayName, FieldAvatarURL, FieldTimeZone:
		var s string
		if v := bytes.TrimSpace(v); len(v) == 0 || v[0] != '"' || json.Unmarshal(v, &s) != nil {
			return mxerr.New(mxerr.BadJSON, "%s must be a string", key)
		}
		switch key {
		case FieldDisplayName:
			if utf8.RuneCountInString(s) > maxDisplayNameRunes {
				return mxerr.New(mxerr.InvalidParam, "display names are at most %d characters", maxDisplayNameRunes)
			}
			p.DisplayName = s
			return nil
		case FieldAvatarURL:
			if s != "" {
				if len(s) > maxAvatarURLBytes {
					return mxerr.New(mxerr.InvalidParam, "avatar_url is longer than %d bytes", maxAvatarURLBytes)
				}
				if _, err := mxid.ParseContentURI(s); err != nil {
					return mxerr.New(mxerr.InvalidParam, "avatar_url must be an mxc:// URI")
				}
			}
			p.AvatarURL = s
			return nil
		}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, v); err != nil {
		return mxerr.New(mxerr.BadJSON, "the value of %s is not valid JSON", key)
	}
	p.Fields[key] = compact.Bytes()
	return nil
}

// deleteField removes key; removing a field that is not set is no error.
func deleteField(p *Profile, key string) {
	switch key {
	case FieldDisplayName:
		p.DisplayName = ""
	case FieldAvatarURL:
		p.AvatarURL = ""
	default:
		delete(p.Fields, key)
	}
}

func optionalString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func strOrEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
