package httpserver

import (
	"io"
	"mime"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/labstack/echo/v4"
)

// validationOptions: security was checked by authenticate already, and
// defaults are never written back into a body, whose bytes may be signed.
var validationOptions = &openapi3filter.Options{
	SkipSettingDefaults: true,
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
}

// streamingOptions are for operations whose body is not JSON (media
// uploads): the validator would read the whole body into memory to check
// it against a schema that says only "bytes", so it checks the parameters
// alone and the body streams to the handler.
var streamingOptions = &openapi3filter.Options{
	SkipSettingDefaults: true,
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
	ExcludeRequestBody:  true,
}

// validate checks the request against its operation's parameters and body
// schema. Path parameters come from echo, percent-decoded: room and event
// IDs arrive escaped (`%21room%3Aserver`, `$abc%2Fdef`).
func validate(c echo.Context, op *operation) error {
	if !op.validate {
		return nil
	}
	req := c.Request()
	names, values := c.ParamNames(), c.ParamValues()
	params := make(map[string]string, len(names))
	for i, name := range names {
		v, err := url.PathUnescape(values[i])
		if err != nil {
			v = values[i]
		}
		params[name] = v
	}
	opts := validationOptions
	if op.hasBody && !op.jsonBody {
		opts = streamingOptions
	}
	if op.jsonBody {
		assumeJSON(req.Header)
		if req.ContentLength == 0 && op.emptyBodyOK {
			req.Body = io.NopCloser(strings.NewReader("{}"))
			req.ContentLength = 2
		}
	}
	return openapi3filter.ValidateRequest(req.Context(), &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      op.route,
		Options:    opts,
	})
}

// assumeJSON treats a body without a JSON content type as JSON, as other
// homeservers do: clients and tools (curl -d) often send none or a wrong
// one, and the Matrix APIs take JSON everywhere outside media uploads.
func assumeJSON(h map[string][]string) {
	ct := ""
	if v := h["Content-Type"]; len(v) > 0 {
		ct = v[0]
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil && mt == "application/json" {
		return
	}
	h["Content-Type"] = []string{"application/json"}
}
