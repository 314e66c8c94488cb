package e2ee

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/pg"
)

// Backup is a key backup version as GET /room_keys/version shows it.
type Backup struct {
	Version   string
	Algorithm string
	// AuthData is the signed auth_data, as uploaded.
	AuthData json.RawMessage
	// Etag changes whenever the version's keys change; Count is how many
	// there are.
	Etag  string
	Count int
}

// BackupKey is one session's key in a backup.
type BackupKey struct {
	Room              id.RoomID
	Session           id.SessionID
	FirstMessageIndex int
	ForwardedCount    int
	IsVerified        bool
	// SessionData is the encrypted key, as uploaded.
	SessionData json.RawMessage
}

// BackupCounts are the etag and key count of a version after a change.
type BackupCounts struct {
	Etag  string
	Count int
}

var (
	errNoBackup       = mxerr.New(mxerr.NotFound, "no current backup version")
	errUnknownVersion = mxerr.New(mxerr.NotFound, "unknown backup version")
	errUnknownSession = mxerr.New(mxerr.NotFound, "no room key of this session is backed up")
)

// parseVersion reads a backup version; what hearth never handed out is
// unknown.
func parseVersion(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, errUnknownVersion
	}
	return n, nil
}

func formatVersion(n int64) string { return strconv.FormatInt(n, 10) }

// CreateBackup creates a new backup version, which becomes the current one,
// and returns its version.
func (s *Service) CreateBackup(ctx context.Context, user id.UserID, algorithm string, authData json.RawMessage) (string, error) {
	if _, err := object(authData, "auth_data"); err != nil {
		return "", err
	}
	var version int64
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.lockTx(ctx, tx, "backup", user); err != nil {
			return err
		}
		var err error
		version, err = s.q.BackupVersionInsert(ctx, tx, db.BackupVersionInsertParams{UserID: user, Algorithm: algorithm, AuthData: authData})
		if err != nil {
			return fmt.Errorf("create backup version of %s: %w", user, err)
		}
		return nil
	})
	return formatVersion(version), err
}

// Backup returns a backup version, the current one when version is empty,
// or M_NOT_FOUND.
func (s *Service) Backup(ctx context.Context, user id.UserID, version string) (*Backup, error) {
	var row db.BackupVersionGetRow
	if version == "" {
		r, err := s.q.BackupVersionCurrent(ctx, s.pool, user)
		if pg.IsNoRows(err) {
			return nil, errNoBackup
		}
		if err != nil {
			return nil, fmt.Errorf("read current backup of %s: %w", user, err)
		}
		row = db.BackupVersionGetRow(r)
	} else {
		n, err := parseVersion(version)
		if err != nil {
			return nil, err
		}
		row, err = s.q.BackupVersionGet(ctx, s.pool, db.BackupVersionGetParams{UserID: user, Version: n})
		if pg.IsNoRows(err) {
			return nil, errUnknownVersion
		}
		if err != nil {
			return nil, fmt.Errorf("read backup %d of %s: %w", n, user, err)
		}
	}
	return &Backup{
		Version: formatVersion(row.Version), Algorithm: row.Algorithm, AuthData: row.AuthData,
		Etag: strconv.FormatInt(row.Etag, 10), Count: int(row.Count),
	}, nil
}

// UpdateBackup replaces a version's auth_data. The algorithm cannot
// change, and a version in the body must be the one updated
// (M_INVALID_PARAM).
func (s *Service) UpdateBackup(ctx context.Context, user id.UserID, version string, bodyVersion *string, algorithm string, authData json.RawMessage) error {
	n, err := parseVersion(version)
	if err != nil {
		return err
	}
	if bodyVersion != nil && *bodyVersion != version {
		return mxerr.New(mxerr.InvalidParam, "the version in the body is not the one in the path")
	}
	if _, err := object(authData, "auth_data"); err != nil {
		return err
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.lockTx(ctx, tx, "backup", user); err != nil {
			return err
		}
		row, err := s.q.BackupVersionGet(ctx, tx, db.BackupVersionGetParams{UserID: user, Version: n})
		if pg.IsNoRows(err) {
			return errUnknownVersion
		}
		if err != nil {
			return fmt.Errorf("read backup %d of %s: %w", n, user, err)
		}
		if row.Algorithm != algorithm {
			return mxerr.New(mxerr.InvalidParam, "a backup's algorithm cannot change")
		}
		if _, err := s.q.BackupVersionUpdate(ctx, tx, db.BackupVersionUpdateParams{UserID: user, Version: n, AuthData: authData}); err != nil {
			return fmt.Errorf("update backup %d of %s: %w", n, user, err)
		}
		return nil
	})
}

// DeleteBackup deletes a version and its keys. Its number is not reused.
func (s *Service) DeleteBackup(ctx context.Context, user id.UserID, version string) error {
	n, err := parseVersion(version)
	if err != nil {
		return err
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.lockTx(ctx, tx, "backup", user); err != nil {
			return err
		}
		done, err := s.q.BackupVersionDelete(ctx, tx, db.BackupVersionDeleteParams{UserID: user, Version: n})
		if err != nil {
			return fmt.Errorf("delete backup %d of %s: %w", n, user, err)
		}
		if done == 0 {
			return errUnknownVersion
		}
		if err := s.q.BackupKeysDeleteVersion(ctx, tx, db.BackupKeysDeleteVersionParams{UserID: user, Version: n}); err != nil {
			return fmt.Errorf("delete keys of backup %d of %s: %w", n, user, err)
		}
		return nil
	})
}

// PutBackupKeys stores keys in the current version. A stored key of the
// same session is replaced only by a better one: verified over
// unverified, then a lower first message index, then a lower forwarded
// count. A version that is not the current one is refused with
// M_WRONG_ROOM_KEYS_VERSION (403) naming the current one; with no backup
// at all, M_NOT_FOUND.
func (s *Service) PutBackupKeys(ctx context.Context, user id.UserID, version string, keys []BackupKey) (BackupCounts, error) {
	var out BackupCounts
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.lockTx(ctx, tx, "backup", user); err != nil {
			return err
		}
		cur, err := s.q.BackupVersionCurrent(ctx, tx, user)
		if pg.IsNoRows(err) {
			return errUnknownVersion
		}
		if err != nil {
			return fmt.Errorf("read current backup of %s: %w", user, err)
		}
		if formatVersion(cur.Version) != version {
			return mxerr.New(mxerr.WrongRoomKeysVersion, "%s is not the current backup version", version).
				With("current_version", formatVersion(cur.Version))
		}
		p := db.BackupKeysUpsertParams{UserID: string(user), Version: cur.Version}
		for _, k := range keys {
			if _, err := object(k.SessionData, "session_data"); err != nil {
				return err
			}
			p.RoomIds = append(p.RoomIds, string(k.Room))
			p.SessionIds = append(p.SessionIds, string(k.Session))
			p.FirstMessageIndexes = append(p.FirstMessageIndexes, int32(k.FirstMessageIndex))
			p.ForwardedCounts = append(p.ForwardedCounts, int32(k.ForwardedCount))
			p.Verified = append(p.Verified, k.IsVerified)
			p.SessionDatas = append(p.SessionDatas, k.SessionData)
		}
		etag := cur.Etag
		if len(keys) > 0 {
			stored, err := s.q.BackupKeysUpsert(ctx, tx, p)
			if err != nil {
				return fmt.Errorf("store keys in backup %d of %s: %w", cur.Version, user, err)
			}
			if stored > 0 {
				if etag, err = s.q.BackupVersionTouch(ctx, tx, db.BackupVersionTouchParams{UserID: user, Version: cur.Version}); err != nil {
					return fmt.Errorf("touch backup %d of %s: %w", cur.Version, user, err)
				}
			}
		}
		out, err = s.backupCounts(ctx, tx, user, cur.Version, etag)
		return err
	})
	return out, err
}

func (s *Service) backupCounts(ctx context.Context, q db.DBTX, user id.UserID, version, etag int64) (BackupCounts, error) {
	row, err := s.q.BackupVersionGet(ctx, q, db.BackupVersionGetParams{UserID: user, Version: version})
	if err != nil {
		return BackupCounts{}, fmt.Errorf("count keys of backup %d of %s: %w", version, user, err)
	}
	return BackupCounts{Etag: strconv.FormatInt(etag, 10), Count: int(row.Count)}, nil
}

// BackupKeys returns the keys of a version, of one room or one session
// when they are given (empty otherwise). An unknown version is
// M_NOT_FOUND; so is one session's key that is not there.
func (s *Service) BackupKeys(ctx context.Context, user id.UserID, version string, room id.RoomID, session id.SessionID) ([]BackupKey, error) {
	n, err := parseVersion(version)
	if err != nil {
		return nil, err
	}
	if _, err := s.q.BackupVersionGet(ctx, s.pool, db.BackupVersionGetParams{UserID: user, Version: n}); err != nil {
		if pg.IsNoRows(err) {
			return nil, errUnknownVersion
		}
		return nil, fmt.Errorf("read backup %d of %s: %w", n, user, err)
	}
	rows, err := s.q.BackupKeysGet(ctx, s.pool, db.BackupKeysGetParams{UserID: string(user), Version: n, RoomID: string(room), SessionID: string(session)})
	if err != nil {
		return nil, fmt.Errorf("read keys of backup %d of %s: %w", n, user, err)
	}
	if session != "" && len(rows) == 0 {
		return nil, errUnknownSession
	}
	out := make([]BackupKey, len(rows))
	for i, r := range rows {
		out[i] = BackupKey{
			Room: id.RoomID(r.RoomID), Session: id.SessionID(r.SessionID), FirstMessageIndex: int(r.FirstMessageIndex),
			ForwardedCount: int(r.ForwardedCount), IsVerified: r.IsVerified, SessionData: r.SessionData,
		}
	}
	return out, nil
}

// DeleteBackupKeys deletes keys of a version (all, one room's or one
// session's) and returns its new etag and count. An unknown version is
// M_NOT_FOUND.
func (s *Service) DeleteBackupKeys(ctx context.Context, user id.UserID, version string, room id.RoomID, session id.SessionID) (BackupCounts, error) {
	n, err := parseVersion(version)
	if err != nil {
		return BackupCounts{}, err
	}
	var out BackupCounts
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.lockTx(ctx, tx, "backup", user); err != nil {
			return err
		}
		row, err := s.q.BackupVersionGet(ctx, tx, db.BackupVersionGetParams{UserID: user, Version: n})
		if pg.IsNoRows(err) {
			return errUnknownVersion
		}
		if err != nil {
			return fmt.Errorf("read backup %d of %s: %w", n, user, err)
		}
		deleted, err := s.q.BackupKeysDelete(ctx, tx, db.BackupKeysDeleteParams{UserID: string(user), Version: n, RoomID: string(room), SessionID: string(session)})
		if err != nil {
			return fmt.Errorf("delete keys of backup %d of %s: %w", n, user, err)
		}
		etag := row.Etag
		if deleted > 0 {
			if etag, err = s.q.BackupVersionTouch(ctx, tx, db.BackupVersionTouchParams{UserID: user, Version: n}); err != nil {
				return fmt.Errorf("touch backup %d of %s: %w", n, user, err)
			}
		}
		out, err = s.backupCounts(ctx, tx, user, n, etag)
		return err
	})
	return out, err
}
