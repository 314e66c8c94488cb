package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// overlay holds an API's project patches: the decisions that are not
// mechanical, kept in one visible file (spec/overlay/<api>.yaml) rather than
// as edits of the output. Every rule must apply to something, so a spec bump
// that moves a target fails the import instead of silently dropping a patch.
type overlay struct {
	// SchemaNames names hoisted files (path relative to data/api) whose title
	// and file name make poor type names, and files' own schemas
	// ("<file>#/components/schemas/<name>").
	SchemaNames map[string]string `yaml:"schemaNames"`
	// MergedOperations names the operation that results from merging two
	// forms of one endpoint, keyed by "METHOD /full/path".
	MergedOperations map[string]string `yaml:"mergedOperations"`
	// Security replaces the security requirements of operations, by operationId.
	Security map[string][]map[string][]string `yaml:"security"`
	// Raw lists the JSON kept as raw bytes in generated Go.
	Raw rawRules `yaml:"raw"`
}

// rawRules select schemas that generate as json.RawMessage (x-go-type),
// for JSON whose exact bytes matter (signatures, hashes) or that is free-form.
type rawRules struct {
	// Titles selects every schema with one of these upstream titles.
	Titles []string `yaml:"titles"`
	// Schemas selects components/schemas entries by name, optionally
	// followed by a JSON pointer inside one ("Event/properties/content").
	Schemas []string `yaml:"schemas"`
	// Operations selects schemas inside operations, by operationId, each as
	// "requestBody" or "responses/<code>" (the application/json schema),
	// optionally followed by a JSON pointer inside it ("requestBody/properties/messages").
	Operations map[string][]string `yaml:"operations"`
}

// loadOverlay reads an overlay file; a missing file is an empty overlay.
func loadOverlay(path string) (*overlay, error) {
	ov := &overlay{}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return ov, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load overlay %s: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(ov); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("load overlay %s: %w", path, err)
	}
	return ov, nil
}

// apply patches doc. Titles must still be present.
func (ov *overlay) apply(doc map[string]any) error {
	ops := operations(doc)
	for _, id := range sortedKeys(ov.Security) {
		op, ok := ops[id]
		if !ok {
			return fmt.Errorf("overlay security: no operation %s", id)
		}
		var sec []any
		for _, req := range ov.Security[id] {
			m := map[string]any{}
			for name, scopes := range req {
				s := make([]any, len(scopes))
				for i, sc := range scopes {
					s[i] = sc
				}
				m[name] = s
			}
			sec = append(sec, m)
		}
		op["security"] = sec
	}
	return ov.Raw.apply(doc, ops)
}

const rawGoType = "json.RawMessage"

func (rr rawRules) apply(doc map[string]any, ops map[string]map[string]any) error {
	var targets []map[string]any
	for _, title := range rr.Titles {
		n := 0
		walkMaps(doc, func(m map[string]any) {
			if m["title"] == title {
				targets = append(targets, m)
				n++
			}
		})
		if n == 0 {
			return fmt.Errorf("overlay raw: no schema titled %q", title)
		}
	}
	schemas := child(child(doc, "components", false), "schemas", false)
	for _, sel := range rr.Schemas {
		name, ptr, _ := strings.Cut(sel, "/")
		n, err := pointer(schemas[name], "/"+ptr)
		if m := asMap(n); err != nil || m == nil {
			return fmt.Errorf("overlay raw: no schema %s", sel)
		} else {
			targets = append(targets, m)
		}
	}
	for _, id := range sortedKeys(rr.Operations) {
		op, ok := ops[id]
		if !ok {
			return fmt.Errorf("overlay raw: no operation %s", id)
		}
		for _, where := range rr.Operations[id] {
			m, err := operationSchema(op, where)
			if err != nil {
				return fmt.Errorf("overlay raw: %s %s: %w", id, where, err)
			}
			targets = append(targets, m)
		}
	}
	for _, m := range targets {
		makeRaw(m)
	}
	return nil
}

// operationSchema finds the schema at "requestBody[/pointer]" or
// "responses/<code>[/pointer]" inside op.
func operationSchema(op map[string]any, where string) (map[string]any, error) {
	var start map[string]any
	rest := where
	switch {
	case rest == "requestBody" || strings.HasPrefix(rest, "requestBody/"):
		start = child(op, "requestBody", false)
		rest = strings.TrimPrefix(rest, "requestBody")
	case strings.HasPrefix(rest, "responses/"):
		code, after, _ := strings.Cut(strings.TrimPrefix(rest, "responses/"), "/")
		start = child(child(op, "responses", false), code, false)
		rest = ""
		if after != "" {
			rest = "/" + after
		}
	default:
		return nil, fmt.Errorf("want requestBody or responses/<code>")
	}
	schema := asMap(child(child(start, "content", false), "application/json", false)["schema"])
	if schema == nil {
		return nil, fmt.Errorf("no application/json schema")
	}
	n, err := pointer(schema, rest)
	if err != nil {
		return nil, err
	}
	m := asMap(n)
	if m == nil {
		return nil, fmt.Errorf("not a schema object")
	}
	return m, nil
}

// makeRaw marks a schema as generating json.RawMessage. The schema itself
// stays for the request validator; a reference is wrapped in allOf because
// keys beside a $ref are dropped. Raw values need no optional pointer: a nil
// RawMessage already means absent.
func makeRaw(m map[string]any) {
	if ref, ok := m["$ref"]; ok {
		delete(m, "$ref")
		m["allOf"] = []any{map[string]any{"$ref": ref}}
	}
	m["x-go-type"] = rawGoType
	m["x-go-type-skip-optional-pointer"] = true
}
