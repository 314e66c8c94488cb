package mxerr

import "net/http"

// Error codes of the v1.19 client-server and server-server APIs.
const (
	Forbidden                  = "M_FORBIDDEN"
	UnknownToken               = "M_UNKNOWN_TOKEN"
	MissingToken               = "M_MISSING_TOKEN"
	UserLocked                 = "M_USER_LOCKED"
	UserSuspended              = "M_USER_SUSPENDED"
	BadJSON                    = "M_BAD_JSON"
	NotJSON                    = "M_NOT_JSON"
	NotFound                   = "M_NOT_FOUND"
	LimitExceeded              = "M_LIMIT_EXCEEDED"
	Unrecognized               = "M_UNRECOGNIZED"
	Unknown                    = "M_UNKNOWN"
	Unauthorized               = "M_UNAUTHORIZED"
	UserDeactivated            = "M_USER_DEACTIVATED"
	UserInUse                  = "M_USER_IN_USE"
	InvalidUsername            = "M_INVALID_USERNAME"
	RoomInUse                  = "M_ROOM_IN_USE"
	InvalidRoomState           = "M_INVALID_ROOM_STATE"
	ThreepidInUse              = "M_THREEPID_IN_USE"
	ThreepidNotFound           = "M_THREEPID_NOT_FOUND"
	ThreepidAuthFailed         = "M_THREEPID_AUTH_FAILED"
	ThreepidDenied             = "M_THREEPID_DENIED"
	ThreepidMediumNotSupport   = "M_THREEPID_MEDIUM_NOT_SUPPORTED"
	ServerNotTrusted           = "M_SERVER_NOT_TRUSTED"
	UnsupportedRoomVersion     = "M_UNSUPPORTED_ROOM_VERSION"
	IncompatibleRoomVersion    = "M_INCOMPATIBLE_ROOM_VERSION"
	BadState                   = "M_BAD_STATE"
	GuestAccessForbidden       = "M_GUEST_ACCESS_FORBIDDEN"
	CaptchaNeeded              = "M_CAPTCHA_NEEDED"
	CaptchaInvalid             = "M_CAPTCHA_INVALID"
	MissingParam               = "M_MISSING_PARAM"
	InvalidParam               = "M_INVALID_PARAM"
	TooLarge                   = "M_TOO_LARGE"
	Exclusive                  = "M_EXCLUSIVE"
	ResourceLimitExceeded      = "M_RESOURCE_LIMIT_EXCEEDED"
	CannotLeaveServerNotice    = "M_CANNOT_LEAVE_SERVER_NOTICE_ROOM"
	ThreepidInvalid            = "M_INVALID_3PID"
	WeakPassword               = "M_WEAK_PASSWORD"
	UnknownPos                 = "M_UNKNOWN_POS"
	WrongRoomKeysVersion       = "M_WRONG_ROOM_KEYS_VERSION"
	NotYetUploaded             = "M_NOT_YET_UPLOADED"
	CannotOverwriteMedia       = "M_CANNOT_OVERWRITE_MEDIA"
	ConnectionTimeout          = "M_CONNECTION_TIMEOUT"
	ConnectionFailed           = "M_CONNECTION_FAILED"
	AppserviceLoginUnsupported = "M_APPSERVICE_LOGIN_UNSUPPORTED"
	InvalidSignature           = "M_INVALID_SIGNATURE"
	Unactionable               = "M_UNACTIONABLE"
	TokenIncorrect             = "M_TOKEN_INCORRECT"
	DuplicateAnnotation        = "M_DUPLICATE_ANNOTATION"
	BadAlias                   = "M_BAD_ALIAS"
	UnableToAuthoriseJoin      = "M_UNABLE_TO_AUTHORISE_JOIN"
)

var statusByCode = map[string]int{
	Forbidden:             http.StatusForbidden,
	UnknownToken:          http.StatusUnauthorized,
	MissingToken:          http.StatusUnauthorized,
	Unauthorized:          http.StatusUnauthorized,
	UserLocked:            http.StatusUnauthorized,
	UserSuspended:         http.StatusForbidden,
	UserDeactivated:       http.StatusForbidden,
	GuestAccessForbidden:  http.StatusForbidden,
	ThreepidDenied:        http.StatusForbidden,
	ThreepidAuthFailed:    http.StatusUnauthorized,
	NotFound:              http.StatusNotFound,
	Unrecognized:          http.StatusNotFound,
	LimitExceeded:         http.StatusTooManyRequests,
	Unknown:               http.StatusInternalServerError,
	TooLarge:              http.StatusRequestEntityTooLarge,
	ResourceLimitExceeded: http.StatusForbidden,
	CannotOverwriteMedia:  http.StatusConflict,
	NotYetUploaded:        http.StatusGatewayTimeout,
	ConnectionTimeout:     http.StatusGatewayTimeout,
	ConnectionFailed:      http.StatusBadGateway,
	WrongRoomKeysVersion:  http.StatusForbidden,
	Exclusive:             http.StatusBadRequest,
	InvalidSignature:      http.StatusUnauthorized,
}
