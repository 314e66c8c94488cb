package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestResolver(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"cs/rooms.yaml": `
paths:
  /rooms/{roomId}/event:
    get:
      security: [{token: []}]
      parameters: [{$ref: "#/components/parameters/roomId"}]
      responses:
        "200":
          content:
            application/json:
              schema: {$ref: definitions/client_event.yaml, description: dropped, type: object}
        "404": {$ref: "#/components/responses/404"}
components:
  securitySchemes:
    token: {$ref: definitions/security.yaml#/token}
  parameters:
    roomId: {in: path, name: roomId, required: true, schema: {type: string}}
  responses:
    "404": {content: {application/json: {schema: {$ref: definitions/error.yaml}}}}
  schemas:
    chunk: {type: object}
`,
		"cs/other.yaml": `
paths: {}
components:
  schemas:
    chunk: {type: array}
`,
		"cs/definitions/security.yaml": `token: {type: http, scheme: bearer, description: text}`,
		"cs/definitions/client_event.yaml": `
$schema: "https://json-schema.org/draft/2020-12/schema"
title: ClientEvent
type: object
properties:
  unsigned:
    properties:
      redacted_because: {$ref: client_event.yaml}
  content: {$ref: ../../other/event_content.yaml}
example: {$ref: ../../examples/missing.json}
`,
		"cs/definitions/error.yaml": `{title: Error response, type: object}`,
		"other/event_content.yaml":  `{type: object}`,
	})
	r := newResolver(dir, nil)
	rooms := filepath.Join(dir, "cs", "rooms.yaml")
	other := filepath.Join(dir, "cs", "other.yaml")
	t1, err := r.load(rooms)
	require.NoError(t, err)
	paths, err := r.resolve(asMap(t1)["paths"], rooms)
	require.NoError(t, err)
	require.NoError(t, r.mergeComponents(rooms))
	require.NoError(t, r.mergeComponents(other))

	require.Equal(t, yamlTree(t, `
/rooms/{roomId}/event:
  get:
    security: [{token: []}]
    parameters: [{in: path, name: roomId, required: true, schema: {type: string}}]
    responses:
      "200":
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ClientEvent"}
      "404": {content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
`), paths, "local parameters and responses are inlined, files hoisted, keys beside $ref dropped")
	require.Equal(t, yamlTree(t, `
schemas:
  ClientEvent:
    $schema: "https://json-schema.org/draft/2020-12/schema"
    title: ClientEvent
    type: object
    properties:
      unsigned:
        properties:
          redacted_because: {$ref: "#/components/schemas/ClientEvent"}
      content: {$ref: "#/components/schemas/EventContent"}
  EventContent: {type: object}
  Error: {title: Error response, type: object}
  Chunk: {type: object}
  ChunkOther: {type: array}
securitySchemes:
  token: {type: http, scheme: bearer}
`), yamlTree(t, mustEncode(t, r.comps)), "hoisted by title or file name, own schemas merged and renamed on conflict, fragments inlined")
}

func TestResolverNameCollision(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"a.yaml":         `{properties: {x: {$ref: one/event.yaml}, y: {$ref: two/event.yaml}}}`,
		"one/event.yaml": `{type: object}`,
		"two/event.yaml": `{type: string}`,
	})
	a := filepath.Join(dir, "a.yaml")
	r := newResolver(dir, nil)
	tr, err := r.load(a)
	require.NoError(t, err)
	_, err = r.resolve(tr, a)
	require.ErrorContains(t, err, "schema name Event is already used by one/event.yaml")

	r = newResolver(dir, map[string]string{"two/event.yaml": "StringEvent"})
	_, err = r.resolve(tr, a)
	require.NoError(t, err)
	require.NoError(t, r.unusedNames())
	require.Contains(t, r.comps["schemas"], "StringEvent")
}

func TestResolverReportsUnusedNames(t *testing.T) {
	t.Parallel()
	r := newResolver(t.TempDir(), map[string]string{"gone.yaml": "Gone"})
	require.ErrorContains(t, r.unusedNames(), "gone.yaml names nothing")
}

func mustEncode(t *testing.T, v any) string {
	t.Helper()
	out, err := encodeTree("", v)
	require.NoError(t, err)
	return string(out)
}
