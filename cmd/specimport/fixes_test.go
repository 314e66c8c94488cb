package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSchemaFixes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		fix      func(map[string]any)
		in, want string
	}{
		{"drops $schema and $id", dropSchemaIDs,
			`{$schema: "https://json-schema.org/draft/2020-12/schema", $id: x, type: object}`,
			`{type: object}`},
		{"untypes several non-null types", untypeMultiTypes,
			`{type: [object, string]}`, `{}`},
		{"untypes several non-null types beside null", untypeMultiTypes,
			`{type: [string, integer, boolean, "null"], format: x}`, `{format: x, nullable: true}`},
		{"keeps a nullable type", untypeMultiTypes,
			`{type: [string, "null"]}`, `{type: [string, "null"]}`},
		{"single patternProperties becomes additionalProperties", patternToAdditional,
			`{type: object, patternProperties: {"^@": {type: integer}}}`,
			`{type: object, additionalProperties: {type: integer}, propertyNames: {pattern: "^@"}}`},
		{"several patternProperties stay", patternToAdditional,
			`{patternProperties: {"^@": {}, "^!": {}}}`, `{patternProperties: {"^@": {}, "^!": {}}}`},
		{"patternProperties beside additionalProperties stay", patternToAdditional,
			`{patternProperties: {"^@": {}}, additionalProperties: false}`,
			`{patternProperties: {"^@": {}}, additionalProperties: false}`},
		{"string-only oneOf becomes a string", stringOneOf,
			`{oneOf: [{type: string, pattern: "^!"}, {type: string, pattern: "^#"}]}`, `{type: string}`},
		{"mixed oneOf stays", stringOneOf,
			`{oneOf: [{type: string}, {type: object}]}`, `{oneOf: [{type: string}, {type: object}]}`},
		{"single-reference allOf becomes the reference", unwrapAllOf,
			`{type: object, title: Event, allOf: [{$ref: "#/components/schemas/E"}]}`,
			`{$ref: "#/components/schemas/E"}`},
		{"allOf with siblings stays", unwrapAllOf,
			`{allOf: [{$ref: "#/components/schemas/E"}], properties: {a: {}}}`,
			`{allOf: [{$ref: "#/components/schemas/E"}], properties: {a: {}}}`},
		{"empty allOf members go", dropEmptyAllOf,
			`{allOf: [{$ref: "#/components/schemas/E"}, {}]}`, `{allOf: [{$ref: "#/components/schemas/E"}]}`},
		{"annotation-only allOf properties go", dropVacuousAllOfProperties,
			`{allOf: [{$ref: "#/components/schemas/E"}, {properties: {
				room_id: {type: string},
				room_type: {x-addedInMatrixVersion: "1.4"},
				unsigned: {properties: {redacted_because: {title: ClientEvent}}}}}]}`,
			`{allOf: [{$ref: "#/components/schemas/E"}, {properties: {room_id: {type: string}}}]}`},
		{"annotation-only properties outside allOf stay", dropVacuousAllOfProperties,
			`{properties: {a: {}}}`, `{properties: {a: {}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := yamlMap(t, tc.in)
			tc.fix(m)
			require.Equal(t, yamlTree(t, tc.want), any(m))
		})
	}
}

func TestApplySchemaFixesReachesNestedSchemas(t *testing.T) {
	t.Parallel()
	doc := yamlTree(t, `
paths:
  /sync:
    get:
      responses:
        "200":
          content:
            application/json:
              schema:
                properties:
                  join:
                    patternProperties:
                      "^!":
                        properties:
                          counts:
                            patternProperties: {"^\\$": {type: integer}}
                  enum_data: {enum: [{type: [a, b]}]}
`)
	applySchemaFixes(doc)
	require.Equal(t, yamlTree(t, `
paths:
  /sync:
    get:
      responses:
        "200":
          content:
            application/json:
              schema:
                properties:
                  join:
                    additionalProperties:
                      properties:
                        counts:
                          additionalProperties: {type: integer}
                          propertyNames: {pattern: "^\\$"}
                    propertyNames: {pattern: "^!"}
                  enum_data: {enum: [{type: [a, b]}]}
`), doc)
}

func TestCollapseAliases(t *testing.T) {
	t.Parallel()
	doc := yamlMap(t, `
paths:
  /a: {get: {responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/C"}}}}}}}
components:
  schemas:
    A: {type: object}
    B: {$ref: "#/components/schemas/A"}
    C: {$ref: "#/components/schemas/B"}
    D: {items: {$ref: "#/components/schemas/B"}}
`)
	collapseAliases(doc)
	require.Equal(t, yamlTree(t, `
paths:
  /a: {get: {responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/A"}}}}}}}
components:
  schemas:
    A: {type: object}
    D: {items: {$ref: "#/components/schemas/A"}}
`), any(doc))
}
