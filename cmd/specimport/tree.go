package main

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"slices"

	"go.yaml.in/yaml/v3"
)

// The importer works on plain trees, not on kin-openapi's typed model: the
// fixes are structural rewrites of upstream files that kin-openapi would
// reject or silently reshape before we could see them. A tree is made of
// map[string]any, []any, string, int, float64, bool and nil.

// readTree parses a YAML (or JSON) file into a tree.
func readTree(path string) (any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseTree(data)
}

// parseTree parses YAML bytes into a tree, stringifying mapping keys so that
// unquoted response codes (200:) and quoted ones ("200":) are the same key.
func parseTree(data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == 0 {
		return nil, nil
	}
	return fromNode(&doc)
}

func fromNode(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return fromNode(n.Content[0])
	case yaml.AliasNode:
		return fromNode(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: non-scalar mapping key", k.Line)
			}
			val, err := fromNode(v)
			if err != nil {
				return nil, err
			}
			m[k.Value] = val
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := fromNode(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		return s, nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node kind %d", n.Line, n.Kind)
}

// encodeTree renders a tree as YAML with sorted keys, so that the same tree
// always yields the same bytes.
func encodeTree(header string, t any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(t); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// clone deep-copies a tree, so that a node inlined in several places can be
// rewritten in one without touching the others.
func clone(t any) any {
	switch v := t.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, c := range v {
			m[k] = clone(c)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, c := range v {
			s[i] = clone(c)
		}
		return s
	}
	return t
}

// equalIgnoring reports whether two trees are equal once the given keys are
// removed from every mapping (used to compare schemas regardless of titles).
func equalIgnoring(a, b any, ignore ...string) bool {
	return reflect.DeepEqual(without(a, ignore), without(b, ignore))
}

func without(t any, keys []string) any {
	switch v := t.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, c := range v {
			if !slices.Contains(keys, k) {
				m[k] = without(c, keys)
			}
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, c := range v {
			s[i] = without(c, keys)
		}
		return s
	}
	return t
}

// asMap returns t as a mapping, or nil.
func asMap(t any) map[string]any {
	m, _ := t.(map[string]any)
	return m
}

// child returns m[k] as a mapping, creating it when create is set.
func child(m map[string]any, k string, create bool) map[string]any {
	if c, ok := m[k].(map[string]any); ok {
		return c
	}
	if !create {
		return nil
	}
	c := map[string]any{}
	m[k] = c
	return c
}
