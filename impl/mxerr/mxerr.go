// Package mxerr holds the Matrix error type that domain packages return for
// anything a client must see, and the one table mapping error codes to HTTP
// statuses. It knows nothing of HTTP frameworks; impl/httpserver renders it.
package mxerr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a Matrix error: the errcode and message reach the client, Extra is
// merged into the JSON body (UIA flows, retry_after_ms, soft_logout), and
// Cause is logged but never sent.
type Error struct {
	Code    string
	Message string
	Status  int // 0 means the code's default status from Status
	Extra   map[string]any
	Cause   error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// HTTPStatus returns the status the error is answered with.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	return Status(e.Code)
}

// With returns a copy of e with key set in Extra.
func (e *Error) With(key string, value any) *Error {
	c := *e
	c.Extra = make(map[string]any, len(e.Extra)+1)
	for k, v := range e.Extra {
		c.Extra[k] = v
	}
	c.Extra[key] = value
	return &c
}

// WithStatus returns a copy of e answered with status instead of the code's default.
func (e *Error) WithStatus(status int) *Error {
	c := *e
	c.Status = status
	return &c
}

// New returns an error with the given code and message.
func New(code, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Code: code, Message: format}
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with the given code and message whose cause is logged.
func Wrap(cause error, code, message string) *Error {
	return &Error{Code: code, Message: message, Cause: cause}
}

// As returns the Matrix error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// CodeOf returns the errcode of err, "" for nil and M_UNKNOWN for errors that
// carry no Matrix error.
func CodeOf(err error) string {
	if err == nil {
		return ""
	}
	if e := As(err); e != nil {
		return e.Code
	}
	return Unknown
}

// Status returns the HTTP status the spec pairs with code.
func Status(code string) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusBadRequest
}
