package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStripProse(t *testing.T) {
	t.Parallel()
	doc := yamlTree(t, `
info: {title: T, description: text}
paths:
  /a:
    get:
      summary: text
      description: text
      x-changedInMatrixVersion: {"1.1": text}
      x-addedInMatrixVersion: "1.1"
      externalDocs: {url: "https://example.org"}
      parameters:
        - {in: query, name: description, description: text, example: 3, schema: {type: string, x-example: a}}
      responses:
        "200":
          description: text
          content:
            application/json:
              examples: {response: {value: {$ref: "../examples/x.json"}}}
              schema:
                title: Keep
                description: text
                properties:
                  description: {type: string, description: text}
                  summary: {type: string}
                enum: [{description: data}]
components:
  examples: {response: {value: 1}}
`)
	stripProse(doc)
	require.Equal(t, yamlTree(t, `
info: {title: T}
paths:
  /a:
    get:
      x-addedInMatrixVersion: "1.1"
      parameters:
        - {in: query, name: description, schema: {type: string}}
      responses:
        "200":
          content:
            application/json:
              schema:
                title: Keep
                properties:
                  description: {type: string}
                  summary: {type: string}
                enum: [{description: data}]
components: {}
`), doc)
}

func TestStripTitlesKeepsPropertiesNamedTitle(t *testing.T) {
	t.Parallel()
	doc := yamlTree(t, `{title: Room, properties: {title: {title: T, type: string}}}`)
	stripTitles(doc)
	require.Equal(t, yamlTree(t, `{properties: {title: {type: string}}}`), doc)
}

func TestBlankResponseDescriptions(t *testing.T) {
	t.Parallel()
	doc := yamlMap(t, `
paths: {/a: {get: {responses: {"200": {content: {}}, "404": {$ref: "#/components/responses/NotFound"}}}}}
components: {responses: {NotFound: {}}}
`)
	blankResponseDescriptions(doc)
	require.Equal(t, yamlTree(t, `
paths: {/a: {get: {responses: {"200": {content: {}, description: ""}, "404": {$ref: "#/components/responses/NotFound"}}}}}
components: {responses: {NotFound: {description: ""}}}
`), any(doc))
}
