package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBasePath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, file, want, err string }{
		{"default of basePath", `{servers: [{url: "{basePath}", variables: {basePath: {default: /_matrix/client/v3}}}]}`, "/_matrix/client/v3", ""},
		{"trailing slash trimmed", `{servers: [{variables: {basePath: {default: /_matrix/}}}]}`, "/_matrix", ""},
		{"no servers", `{paths: {}}`, "", "no servers"},
		{"no basePath", `{servers: [{url: "https://x"}]}`, "", "no basePath"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := basePath(yamlMap(t, tc.file))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestAddPathItem(t *testing.T) {
	t.Parallel()
	paths := map[string]any{}
	require.NoError(t, addPathItem(paths, "/a", yamlMap(t, `{get: {operationId: getA}}`)))
	require.NoError(t, addPathItem(paths, "/a", yamlMap(t, `{put: {operationId: putA}}`)))
	require.Equal(t, yamlTree(t, `{/a: {get: {operationId: getA}, put: {operationId: putA}}}`), any(paths))
	require.ErrorContains(t, addPathItem(paths, "/a", yamlMap(t, `{get: {operationId: other}}`)), "GET /a defined twice")
}

func TestMergeSpacedPaths(t *testing.T) {
	t.Parallel()
	doc := yamlMap(t, `
paths:
  "/rooms/{roomId}/invite ":
    post:
      operationId: inviteUser
      security: [{token: []}]
      tags: [Room membership]
      parameters: [{in: path, name: roomId, required: true, schema: {type: string}}]
      requestBody:
        required: true
        content: {application/json: {schema: {type: object, required: [user_id], properties: {user_id: {type: string}}}}}
      responses:
        "200": {content: {application/json: {schema: {type: object}}}}
        "400": {content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  "/rooms/{roomId}/invite":
    post:
      operationId: inviteBy3PID
      security: [{token: []}]
      tags: [Room membership]
      parameters: [{in: path, name: roomId, required: true, schema: {type: string}}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Invite3pid"}}}
      responses:
        "200": {content: {application/json: {schema: {type: object, title: Ignored}}}}
  "/events ":
    get:
      operationId: peekEvents
      deprecated: false
      parameters:
        - {in: query, name: from, required: false, schema: {type: string}}
        - {in: query, name: room_id, required: true, schema: {type: string}}
      responses: {"200": {content: {application/json: {schema: {type: object}}}}}
  /events:
    get:
      operationId: getEvents
      deprecated: true
      parameters: [{in: query, name: from, required: false, schema: {type: string}}]
      responses: {"200": {content: {application/json: {schema: {type: object}}}}}
  "/only ":
    get: {operationId: only}
components:
  schemas:
    Invite3pid: {type: object}
`)
	err := mergeSpacedPaths(doc, map[string]string{
		"POST /rooms/{roomId}/invite": "inviteUser",
		"GET /events":                 "getEvents",
	})
	require.NoError(t, err)
	require.Equal(t, yamlTree(t, `
paths:
  /rooms/{roomId}/invite:
    post:
      operationId: inviteUser
      security: [{token: []}]
      tags: [Room membership]
      parameters: [{in: path, name: roomId, required: true, schema: {type: string}}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              anyOf: [{$ref: "#/components/schemas/Invite3pid"}, {$ref: "#/components/schemas/InviteUserBody"}]
      responses:
        "200": {content: {application/json: {schema: {type: object}}}}
        "400": {content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  /events:
    get:
      operationId: getEvents
      parameters:
        - {in: query, name: from, schema: {type: string}}
        - {in: query, name: room_id, schema: {type: string}}
      responses: {"200": {content: {application/json: {schema: {type: object}}}}}
  /only:
    get: {operationId: only}
components:
  schemas:
    Invite3pid: {type: object}
    InviteUserBody: {type: object, required: [user_id], properties: {user_id: {type: string}}}
`), any(doc))
}

func TestMergeSpacedPathsErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, doc, err string }{
		{"unnamed merge",
			`{paths: {"/a ": {get: {operationId: x}}, /a: {get: {operationId: y}}}}`,
			"GET /a has two operations"},
		{"different security",
			`{paths: {"/m ": {get: {operationId: x, security: [{a: []}]}}, /m: {get: {operationId: y, security: [{b: []}]}}}}`,
			"differ in security"},
		{"different answers to one code",
			`{paths: {"/m ": {get: {operationId: x, responses: {"200": {content: {}}}}}, /m: {get: {operationId: y, responses: {"200": {}}}}}}`,
			"answer 200 differently"},
		{"unused merge name",
			`{paths: {/m: {get: {operationId: y}}}}`,
			"GET /m merges nothing"},
		{"one body only",
			`{paths: {"/m ": {get: {operationId: x, requestBody: {}}}, /m: {get: {operationId: y}}}}`,
			"only one form has a request body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := mergeSpacedPaths(yamlMap(t, tc.doc), map[string]string{"GET /m": "m"})
			require.ErrorContains(t, err, tc.err)
		})
	}
}
