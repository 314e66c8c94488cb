package httpserver

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/labstack/echo/v4"

	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/telemetry"
)

// notImplemented is satisfied by the generated NotImplementedError of every
// API: operations the spec defines that hearth does not serve yet.
type notImplemented interface {
	error
	NotImplemented() bool
}

// errorHandler is echo's HTTPErrorHandler: every failure, from echo, the
// validator, the adapters or the domain, is answered here as a Matrix error.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		ctx := c.Request().Context()
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return // the client went away; nobody is listening
		}
		e := toMatrix(err)
		if e.Code == mxerr.Unknown && e.HTTPStatus() >= 500 {
			log.ErrorContext(ctx, "request failed", "op", telemetry.FieldsOf(ctx).Op, "err", err)
		}
		telemetry.FieldsOf(ctx).Errcode = e.Code
		writeError(c, e)
	}
}

func writeError(c echo.Context, e *mxerr.Error) {
	body := make(map[string]any, 2+len(e.Extra))
	for k, v := range e.Extra {
		body[k] = v
	}
	if e.Code != "" {
		body["errcode"] = e.Code
		body["error"] = e.Message
	}
	if ms, ok := e.Extra["retry_after_ms"].(int64); ok {
		c.Response().Header().Set("Retry-After", retryAfterSeconds(ms))
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(e.HTTPStatus())
		return
	}
	_ = c.JSON(e.HTTPStatus(), body)
}

// toMatrix maps any error to the Matrix error a client sees. Internal
// details stay in Cause, which is logged and never sent.
func toMatrix(err error) *mxerr.Error {
	if e := mxerr.As(err); e != nil {
		return e
	}
	var ni notImplemented
	if errors.As(err, &ni) {
		return mxerr.New(mxerr.Unrecognized, "unrecognized request")
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return mxerr.New(mxerr.TooLarge, "request body is larger than %d bytes", tooBig.Limit)
	}
	var reqErr *openapi3filter.RequestError
	if errors.As(err, &reqErr) {
		return fromValidation(reqErr)
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return fromEcho(he)
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return mxerr.New(mxerr.NotJSON, "content is not valid JSON")
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return mxerr.New(mxerr.BadJSON, "wrong type for %q", typ.Field)
	}
	return mxerr.Wrap(err, mxerr.Unknown, "internal server error")
}

func fromEcho(he *echo.HTTPError) *mxerr.Error {
	if he.Internal != nil {
		// Bind and decode failures carry the JSON error inside.
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(he.Internal, &syn):
			return mxerr.New(mxerr.NotJSON, "content is not valid JSON")
		case errors.As(he.Internal, &typ):
			return mxerr.New(mxerr.BadJSON, "wrong type for %q", typ.Field)
		}
	}
	switch he.Code {
	case http.StatusNotFound:
		return mxerr.New(mxerr.Unrecognized, "unrecognized request")
	case http.StatusMethodNotAllowed:
		return mxerr.New(mxerr.Unrecognized, "method not allowed").WithStatus(http.StatusMethodNotAllowed)
	case http.StatusRequestEntityTooLarge:
		return mxerr.New(mxerr.TooLarge, "request body is too large")
	case http.StatusUnsupportedMediaType:
		return mxerr.New(mxerr.NotJSON, "content type not supported").WithStatus(http.StatusUnsupportedMediaType)
	case http.StatusUnauthorized:
		return mxerr.New(mxerr.MissingToken, "missing access token")
	case http.StatusTooManyRequests:
		return mxerr.New(mxerr.LimitExceeded, "too many requests")
	case http.StatusBadRequest:
		// The generated wrappers answer 400 for path and query parameters
		// they cannot bind.
		return mxerr.New(mxerr.InvalidParam, "%v", he.Message)
	}
	if he.Code >= 500 {
		return mxerr.Wrap(he, mxerr.Unknown, "internal server error")
	}
	return mxerr.New(mxerr.Unknown, "%v", he.Message).WithStatus(he.Code)
}

// fromValidation maps a kin-openapi request error: parameters get
// M_MISSING_PARAM or M_INVALID_PARAM, bodies M_NOT_JSON when they do not
// parse and M_BAD_JSON when they do not fit the schema.
func fromValidation(re *openapi3filter.RequestError) *mxerr.Error {
	var he *echo.HTTPError
	if errors.As(re.Err, &he) {
		return fromEcho(he) // the body limit tripped while reading
	}
	if re.Parameter != nil {
		if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) || errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue) {
			return mxerr.New(mxerr.MissingParam, "missing parameter %q", re.Parameter.Name)
		}
		return mxerr.New(mxerr.InvalidParam, "invalid parameter %q: %s", re.Parameter.Name, schemaReason(re.Err))
	}
	if re.RequestBody != nil {
		if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
			return mxerr.New(mxerr.NotJSON, "a JSON body is required")
		}
		var se *openapi3.SchemaError
		if errors.As(re.Err, &se) {
			return mxerr.New(mxerr.BadJSON, "%s", schemaReason(se))
		}
		return mxerr.New(mxerr.NotJSON, "content is not valid JSON")
	}
	return mxerr.New(mxerr.BadJSON, "%s", re.Reason)
}

// schemaReason describes a schema mismatch by where it is and what failed,
// without echoing the value the client sent.
func schemaReason(err error) string {
	var se *openapi3.SchemaError
	if !errors.As(err, &se) {
		if err == nil {
			return "invalid"
		}
		return err.Error()
	}
	where := "body"
	if p := se.JSONPointer(); len(p) > 0 {
		where = "/" + joinPointer(p)
	}
	return where + ": " + se.Reason
}

func joinPointer(p []string) string {
	out := p[0]
	for _, s := range p[1:] {
		out += "/" + s
	}
	return out
}

func retryAfterSeconds(ms int64) string {
	return strconv.FormatInt((ms+999)/1000, 10)
}
