package pg

import (
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATE codes hearth branches on (PostgreSQL manual, appendix A).
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

// SQLState returns the SQLSTATE of the server error in err's chain, or ""
// when err holds none (nil, a network error, pgx.ErrNoRows, ...).
func SQLState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// IsUniqueViolation reports whether err is a unique violation (23505) of the
// named constraint, or of any constraint when constraint is "". Owners use it
// to turn a duplicate into a Matrix error, as in
// pg.IsUniqueViolation(err, "users_pkey") → M_USER_IN_USE.
func IsUniqueViolation(err error, constraint string) bool {
	return isConstraintError(err, codeUniqueViolation, constraint)
}

// IsForeignKeyViolation reports whether err is a foreign key violation
// (23503) of the named constraint, or of any when constraint is "".
func IsForeignKeyViolation(err error, constraint string) bool {
	return isConstraintError(err, codeForeignKeyViolation, constraint)
}

// IsNoRows reports whether err says that a query expected a row and found
// none (pgx.ErrNoRows, from QueryRow(...).Scan and sqlc's :one queries).
func IsNoRows(err error) bool {
	return errors.Is(err, pgx.ErrNoRows)
}

// IsRetryable reports whether running the whole transaction again may
// succeed: a serialization failure (40001) or a deadlock (40P01). [InTx]
// retries these itself.
func IsRetryable(err error) bool {
	switch SQLState(err) {
	case codeSerializationFailure, codeDeadlockDetected:
		return true
	}
	return false
}

func isConstraintError(err error, code, constraint string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != code {
		return false
	}
	return constraint == "" || pgErr.ConstraintName == constraint
}
