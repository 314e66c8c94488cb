package main

import "sort"

// nameMapKeys hold mappings from a name (a property, a path, a status code,
// a media type, a component) to a node. Their keys are never OpenAPI or JSON
// Schema keywords, even when a property happens to be called "description".
var nameMapKeys = map[string]bool{
	"properties": true, "patternProperties": true, "$defs": true, "dependentSchemas": true,
	"paths": true, "responses": true, "content": true, "headers": true, "encoding": true,
	"schemas": true, "parameters": true, "requestBodies": true, "securitySchemes": true,
	"links": true, "callbacks": true, "variables": true,
}

// dataKeys hold instance data or free-form extension values, not OpenAPI
// structure: nothing inside them is rewritten.
var dataKeys = map[string]bool{"enum": true, "default": true, "const": true}

// walkMaps calls fn on every structural mapping of t, parents before
// children, in sorted key order so that any side effect is deterministic.
// Name maps themselves are not passed to fn; their values are.
func walkMaps(t any, fn func(m map[string]any)) {
	switch v := t.(type) {
	case map[string]any:
		fn(v)
		for _, k := range sortedKeys(v) {
			c := v[k]
			if dataKeys[k] || isExtension(k) {
				continue
			}
			if nameMapKeys[k] {
				if nm, ok := c.(map[string]any); ok {
					for _, name := range sortedKeys(nm) {
						walkMaps(nm[name], fn)
					}
					continue
				}
			}
			walkMaps(c, fn)
		}
	case []any:
		for _, c := range v {
			walkMaps(c, fn)
		}
	}
}

func isExtension(k string) bool { return len(k) > 2 && k[:2] == "x-" }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
