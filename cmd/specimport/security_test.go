package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFixUndefinedSecurity(t *testing.T) {
	t.Parallel()
	doc := yamlMap(t, `
paths:
  /a: {get: {operationId: a, security: [{q: []}, {b: []}]}}
  /b: {get: {operationId: b, security: [{q: []}, {b: []}]}}
  /c: {get: {operationId: c, security: [{q: []}, {}]}}
  /d: {get: {operationId: d, security: [{signedRequest: []}]}}
  /e: {get: {operationId: e}}
components: {securitySchemes: {q: {}, b: {}}}
`)
	require.NoError(t, fixUndefinedSecurity(doc))
	require.Equal(t, yamlTree(t, `[{q: []}, {b: []}]`), operations(doc)["d"]["security"], "the most common valid list")
	require.Equal(t, yamlTree(t, `[{q: []}, {}]`), operations(doc)["c"]["security"])
	require.NotContains(t, operations(doc)["e"], "security")
}

func TestFixUndefinedSecurityWithoutValidLists(t *testing.T) {
	t.Parallel()
	doc := yamlMap(t, `{paths: {/d: {get: {operationId: d, security: [{nope: []}]}}}}`)
	require.ErrorContains(t, fixUndefinedSecurity(doc), "no operation has valid ones")
}
