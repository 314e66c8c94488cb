package httpserver

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// authMode is what an operation's `security` asks of the caller.
type authMode int

const (
	authNone     authMode = iota // no credentials
	authUser                     // a user's access token is required
	authOptional                 // a token is used when present
	authServer                   // a federation request signature (X-Matrix)
)

// operation is what the middleware needs to know of one spec operation,
// worked out once at start-up so that a request is routed only once: echo
// finds the handler, and the handler's route pattern finds this.
type operation struct {
	id    string
	route *routers.Route // for kin-openapi, with security stripped (auth runs first)
	auth  authMode
	// queryToken tells whether the access_token query parameter is allowed.
	queryToken bool
	// validate is false for operations with nothing to check.
	validate bool
	// hasBody tells whether the operation takes a body; jsonBody whether
	// it is JSON (else media bytes, streamed to the handler unvalidated).
	hasBody, jsonBody bool
	// bodyLimit replaces Config.MaxBodyBytes when set (API.BodyLimits).
	bodyLimit int64
	// emptyBodyOK tells whether a missing body may stand for {}: the body
	// schema requires no property. Clients often send no body at all for
	// such requests (DELETE /devices/{deviceId} before UIA).
	emptyBodyOK bool
	// limit is the rate-limit class, "" for none.
	limit limitClass
	// admin tells whether only server admins may call it (its security
	// names the server_admin role).
	admin bool
}

// operationIndex maps "METHOD echo-path" to the operation.
type operationIndex map[string]*operation

func routeKey(method, echoPath string) string { return method + " " + echoPath }

// echoPath turns an OpenAPI path template into echo's (":name" parameters),
// the form the generated RegisterHandlers uses.
func echoPath(p string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			b.WriteString(p)
			return b.String()
		}
		j := strings.IndexByte(p[i:], '}')
		if j < 0 {
			b.WriteString(p)
			return b.String()
		}
		b.WriteString(p[:i])
		b.WriteByte(':')
		b.WriteString(p[i+1 : i+j])
		p = p[i+j+1:]
	}
}

// indexOperations reads every operation of doc, with the body limits the
// API declares by operationId.
func indexOperations(doc *openapi3.T, bodyLimits map[string]int64, into operationIndex) error {
	// kin-openapi validates an OpenAPI 3.1 document's schemas by compiling a
	// JSON Schema 2020-12 validator on every request, which costs more than
	// the rest of a request together. Its own schema visitor is fast and
	// checks what Matrix bodies need (types, nullability, required
	// properties, enums, patterns); it skips propertyNames, which only
	// restate ID grammars the adapters check when they parse IDs. So the
	// validator is given the document as 3.0.
	legacy := *doc
	legacy.OpenAPI = "3.0.3"
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := routeKey(method, echoPath(path))
			if _, dup := into[key]; dup {
				return fmt.Errorf("two operations route to %s", key)
			}
			security := op.Security
			if security == nil {
				security = &doc.Security
			}
			auth, queryToken := authModeOf(*security, doc.Components)
			admin := false
			for _, req := range *security {
				for _, scopes := range req {
					admin = admin || needsAdmin(scopes)
				}
			}
			stripped := *op
			stripped.Security = &openapi3.SecurityRequirements{}
			into[key] = &operation{
				id:          op.OperationID,
				route:       &routers.Route{Spec: &legacy, Path: path, PathItem: item, Method: method, Operation: &stripped},
				auth:        auth,
				queryToken:  queryToken,
				validate:    op.RequestBody != nil || len(op.Parameters) > 0 || len(item.Parameters) > 0,
				hasBody:     op.RequestBody != nil,
				jsonBody:    op.RequestBody != nil && op.RequestBody.Value.Content.Get("application/json") != nil,
				bodyLimit:   bodyLimits[op.OperationID],
				emptyBodyOK: requiresNoProperty(op.RequestBody),
				limit:       limitClasses[op.OperationID],
				admin:       admin,
			}
		}
	}
	return nil
}

// authModeOf reads a security requirement list: alternatives, where an
// empty one means "no credentials needed".
func authModeOf(reqs openapi3.SecurityRequirements, comps *openapi3.Components) (authMode, bool) {
	if len(reqs) == 0 {
		return authNone, false
	}
	mode, optional, queryToken := authNone, false, false
	for _, req := range reqs {
		if len(req) == 0 {
			optional = true
			continue
		}
		for name := range req {
			scheme := lookupScheme(comps, name)
			switch {
			case scheme == nil:
			case scheme.Type == "http" && strings.EqualFold(scheme.Scheme, "bearer"):
				mode = authUser
			case scheme.Type == "apiKey" && scheme.In == "query":
				mode, queryToken = authUser, true
			case scheme.Type == "http" && strings.EqualFold(scheme.Scheme, "X-Matrix"):
				mode = authServer
			}
		}
	}
	if optional && mode == authUser {
		return authOptional, queryToken
	}
	return mode, queryToken
}

func lookupScheme(comps *openapi3.Components, name string) *openapi3.SecurityScheme {
	if comps == nil || comps.SecuritySchemes == nil {
		return nil
	}
	if ref := comps.SecuritySchemes[name]; ref != nil {
		return ref.Value
	}
	return nil
}

func requiresNoProperty(body *openapi3.RequestBodyRef) bool {
	if body == nil || body.Value == nil {
		return false
	}
	mt := body.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return false
	}
	return len(mt.Schema.Value.Required) == 0
}

// alias indexes a second route of an operation, without the parameters it
// fixes.
func (ops operationIndex) alias(a RouteAlias) error {
	op := ops[routeKey(a.Method, echoPath(a.Of))]
	if op == nil {
		return fmt.Errorf("route alias %s %s: no operation %s %s", a.Method, a.Path, a.Method, a.Of)
	}
	specOp := *op.route.Operation
	specOp.Parameters = slices.DeleteFunc(slices.Clone(specOp.Parameters), func(p *openapi3.ParameterRef) bool {
		return p.Value != nil && p.Value.In == openapi3.ParameterInPath && slices.Contains(a.Omit, p.Value.Name)
	})
	route := *op.route
	route.Operation = &specOp
	aliased := *op
	aliased.route = &route
	ops[routeKey(a.Method, a.Path)] = &aliased
	return nil
}
