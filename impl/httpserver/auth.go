package httpserver

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/mxerr"
	"github.com/hearth-hs/hearth/impl/telemetry"
)

// Authenticator resolves an access token to who holds it.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (accounts.Principal, error)
	Touch(ctx context.Context, p accounts.Principal, ip, userAgent string)
}

var errMissingToken = mxerr.New(mxerr.MissingToken, "missing access token")

// authenticate applies the operation's security: a user's access token
// (Bearer header, or the deprecated access_token query parameter where the
// operation still allows it) becomes the request's principal.
func authenticate(c echo.Context, op *operation, auth Authenticator) error {
	if op.auth != authUser && op.auth != authOptional {
		return nil
	}
	token, err := accessToken(c.Request(), op.queryToken)
	if err != nil {
		return err
	}
	if token == "" {
		if op.auth == authOptional {
			return nil
		}
		return errMissingToken
	}
	req := c.Request()
	ctx := req.Context()
	p, err := auth.Authenticate(ctx, token)
	if err != nil {
		return err
	}
	if err := moderate(op, p); err != nil {
		return err
	}
	f := telemetry.FieldsOf(ctx)
	f.UserID, f.DeviceID = string(p.UserID), string(p.DeviceID)
	auth.Touch(ctx, p, c.RealIP(), req.UserAgent())
	c.SetRequest(req.WithContext(accounts.WithCaller(ctx, p)))
	return nil
}

// accessToken reads the token from the Authorization header or, where
// allowed, the query. A malformed Authorization header is refused rather
// than ignored.
func accessToken(r *http.Request, queryAllowed bool) (string, error) {
	if h := r.Header.Get(echo.HeaderAuthorization); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return "", mxerr.New(mxerr.MissingToken, "malformed Authorization header")
		}
		return strings.TrimSpace(token), nil
	}
	if queryAllowed {
		return r.URL.Query().Get("access_token"), nil
	}
	return "", nil
}
