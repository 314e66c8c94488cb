package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

const overlayDoc = `
paths:
  /send:
    put:
      operationId: sendMessage
      requestBody: {content: {application/json: {schema: {type: object}}}}
  /keys:
    post:
      operationId: uploadKeys
      requestBody:
        content:
          application/json:
            schema: {properties: {device_keys: {$ref: "#/components/schemas/DeviceKeys"}}}
      responses:
        "200": {content: {application/json: {schema: {properties: {counts: {type: object}}}}}}
  /summary:
    get: {operationId: getRoomSummary, security: [{token: []}]}
components:
  schemas:
    DeviceKeys: {type: object}
    Event: {properties: {content: {type: object}}}
    Transaction: {properties: {pdus: {items: {title: PDU, type: object}}}}
`

func TestOverlayApply(t *testing.T) {
	t.Parallel()
	doc := yamlMap(t, overlayDoc)
	ov := &overlay{
		Security: map[string][]map[string][]string{"getRoomSummary": {{"token": {}}, {}}},
		Raw: rawRules{
			Titles:  []string{"PDU"},
			Schemas: []string{"Event/properties/content"},
			Operations: map[string][]string{
				"sendMessage": {"requestBody"},
				"uploadKeys":  {"requestBody/properties/device_keys", "responses/200/properties/counts"},
			},
		},
	}
	require.NoError(t, ov.apply(doc))
	raw := "x-go-type: json.RawMessage, x-go-type-skip-optional-pointer: true"
	require.Equal(t, yamlTree(t, `
paths:
  /send:
    put:
      operationId: sendMessage
      requestBody: {content: {application/json: {schema: {type: object, `+raw+`}}}}
  /keys:
    post:
      operationId: uploadKeys
      requestBody:
        content:
          application/json:
            schema: {properties: {device_keys: {allOf: [{$ref: "#/components/schemas/DeviceKeys"}], `+raw+`}}}
      responses:
        "200": {content: {application/json: {schema: {properties: {counts: {type: object, `+raw+`}}}}}}
  /summary:
    get: {operationId: getRoomSummary, security: [{token: []}, {}]}
components:
  schemas:
    DeviceKeys: {type: object}
    Event: {properties: {content: {type: object, `+raw+`}}}
    Transaction: {properties: {pdus: {items: {title: PDU, type: object, `+raw+`}}}}
`), any(doc))
}

func TestOverlayRulesMustMatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ov   overlay
		err  string
	}{
		{"title", overlay{Raw: rawRules{Titles: []string{"Nope"}}}, `no schema titled "Nope"`},
		{"schema", overlay{Raw: rawRules{Schemas: []string{"Event/properties/nope"}}}, "no schema Event/properties/nope"},
		{"operation", overlay{Raw: rawRules{Operations: map[string][]string{"nope": {"requestBody"}}}}, "no operation nope"},
		{"position", overlay{Raw: rawRules{Operations: map[string][]string{"sendMessage": {"responses/200"}}}}, "no application/json schema"},
		{"position kind", overlay{Raw: rawRules{Operations: map[string][]string{"sendMessage": {"parameters"}}}}, "want requestBody or responses"},
		{"security", overlay{Security: map[string][]map[string][]string{"nope": nil}}, "no operation nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorContains(t, tc.ov.apply(yamlMap(t, overlayDoc)), tc.err)
		})
	}
}

func TestLoadOverlay(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"good.yaml":  "schemaNames: {a.yaml: A}\nraw: {titles: [PDU]}\n",
		"typo.yaml":  "raws: {titles: [PDU]}\n",
		"empty.yaml": "# nothing yet\n",
	})
	ov, err := loadOverlay(filepath.Join(dir, "good.yaml"))
	require.NoError(t, err)
	require.Equal(t, map[string]string{"a.yaml": "A"}, ov.SchemaNames)
	require.Equal(t, []string{"PDU"}, ov.Raw.Titles)

	_, err = loadOverlay(filepath.Join(dir, "typo.yaml"))
	require.ErrorContains(t, err, "field raws not found")

	for _, name := range []string{"empty.yaml", "missing.yaml"} {
		ov, err = loadOverlay(filepath.Join(dir, name))
		require.NoError(t, err)
		require.Equal(t, &overlay{}, ov)
	}
}
