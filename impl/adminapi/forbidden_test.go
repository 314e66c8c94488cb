package adminapi_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	api "github.com/hearth-hs/hearth/gen/synapseadmin"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// exampleParam is a plausible value for a path parameter, so that a
// request would be served if its caller were allowed to make it.
func exampleParam(p *openapi3.Parameter) string {
	name := strings.ToLower(p.Name)
	switch {
	case p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Type.Is("integer"):
		return "1"
	case strings.Contains(name, "user"):
		return esc("@alice:hearth.test")
	case strings.Contains(name, "room"):
		return esc("!room:hearth.test")
	case name == "servername":
		return "hearth.test"
	}
	return "abcdef"
}

// TestEveryOperationNeedsAnAdmin walks the whole embedded admin spec: every
// operation but shared-secret registration answers 403 M_FORBIDDEN to a
// user who is not a server admin, and 401 without a token, before it looks
// at the request.
func TestEveryOperationNeedsAnAdmin(t *testing.T) {
	t.Parallel()
	b := setup(t)
	spec, err := api.GetSwagger()
	require.NoError(t, err)
	open := map[string]bool{"getRegisterNonce": true, "registerWithSharedSecret": true}
	var checked []string
	all := 0
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			all++
			if open[op.OperationID] {
				continue
			}
			params := append(openapi3.Parameters{}, item.Parameters...)
			params = append(params, op.Parameters...)
			concrete := path
			for _, p := range params {
				if p.Value.In == openapi3.ParameterInPath {
					concrete = strings.ReplaceAll(concrete, "{"+p.Value.Name+"}", exampleParam(p.Value))
				}
			}
			var body any
			if op.RequestBody != nil {
				body = map[string]any{}
			}
			r := b.do(t, b.user, method, concrete, body)
			require.Equal(t, http.StatusForbidden, r.Status, "%s %s (%s): %s", method, concrete, op.OperationID, r.Raw)
			require.Equal(t, "M_FORBIDDEN", r.Errcode(), "%s", op.OperationID)

			r = b.s.Do(t, servertest.Request{Method: method, Path: concrete, Body: body})
			require.Equal(t, http.StatusUnauthorized, r.Status, "%s %s (%s): %s", method, concrete, op.OperationID, r.Raw)
			require.Equal(t, "M_MISSING_TOKEN", r.Errcode(), "%s", op.OperationID)
			checked = append(checked, op.OperationID)
		}
	}
	sort.Strings(checked)
	require.Len(t, checked, all-len(open), "operations: %v", checked)
	require.Greater(t, len(checked), 40)
}
