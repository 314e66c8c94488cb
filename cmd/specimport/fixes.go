package main

import "fmt"

// The schema fixes below are mechanical: each one rewrites a construct that
// oapi-codegen or kin-openapi handles badly into an equivalent (or looser)
// one, wherever it appears. They run on the whole assembled document.

// schemaFixes run, in order, on every structural mapping of the document.
var schemaFixes = []struct {
	name string
	fix  func(m map[string]any)
}{
	{"drop $schema and $id", dropSchemaIDs},
	{"untype multi-type lists", untypeMultiTypes},
	{"single patternProperties to additionalProperties", patternToAdditional},
	{"string-only oneOf to string", stringOneOf},
	{"drop annotation-only properties of allOf members", dropVacuousAllOfProperties},
	{"drop empty allOf members", dropEmptyAllOf},
	{"single-reference allOf to the reference", unwrapAllOf},
}

func applySchemaFixes(doc any) {
	walkMaps(doc, func(m map[string]any) {
		for _, f := range schemaFixes {
			f.fix(m)
		}
	})
}

// dropSchemaIDs removes JSON Schema dialect and identity keywords: once a
// file is a component, its $id no longer names anything and would make
// validators resolve references against it.
func dropSchemaIDs(m map[string]any) {
	delete(m, "$schema")
	delete(m, "$id")
}

// untypeMultiTypes makes `type: [object, string]`-style lists untyped:
// oapi-codegen cannot generate a Go type for several non-null types, while
// `[T, "null"]` is a nullable T it handles. An untyped schema still refuses
// null in kin-openapi's validation, so a list that allowed null says so
// with nullable (push rule conditions' values may be null).
func untypeMultiTypes(m map[string]any) {
	types, ok := m["type"].([]any)
	if !ok {
		return
	}
	nonNull, null := 0, false
	for _, t := range types {
		if t != "null" {
			nonNull++
		} else {
			null = true
		}
	}
	if nonNull > 1 {
		delete(m, "type")
		if null {
			m["nullable"] = true
		}
	}
}

// patternToAdditional turns a lone patternProperties (a map keyed by IDs,
// such as /sync's rooms.join) into additionalProperties, which oapi-codegen
// generates as map[string]T rather than map[string]interface{}. The key
// pattern survives as propertyNames.
func patternToAdditional(m map[string]any) {
	pp, ok := m["patternProperties"].(map[string]any)
	if !ok || len(pp) != 1 {
		return
	}
	if _, ok := m["additionalProperties"]; ok {
		return
	}
	for pattern, schema := range pp {
		m["additionalProperties"] = schema
		m["propertyNames"] = map[string]any{"pattern": pattern}
	}
	delete(m, "patternProperties")
}

// stringOneOf replaces a oneOf whose members are all plain strings (a room
// ID or alias) with a string: a union of strings generates a useless
// wrapper type, and the members' formats cannot be told apart anyway.
func stringOneOf(m map[string]any) {
	members, ok := m["oneOf"].([]any)
	if !ok || len(members) == 0 {
		return
	}
	for _, mem := range members {
		if mm := asMap(mem); mm == nil || mm["type"] != "string" {
			return
		}
	}
	delete(m, "oneOf")
	m["type"] = "string"
}

// dropVacuousAllOfProperties removes, from the inline members of an allOf,
// properties whose schema constrains nothing once prose is gone (`{}`, only
// a title or x- annotations, or only such properties). Upstream adds them to refine a
// description or title of a property another member defines, and
// oapi-codegen merges allOf members property by property, last one winning:
// the typed property would become interface{}.
func dropVacuousAllOfProperties(m map[string]any) {
	all, _ := m["allOf"].([]any)
	for _, mem := range all {
		mm := asMap(mem)
		if mm == nil || mm["$ref"] != nil || mm["additionalProperties"] != nil || mm["patternProperties"] != nil {
			continue
		}
		props := asMap(mm["properties"])
		for _, name := range sortedKeys(props) {
			if vacuous(props[name]) {
				delete(props, name)
			}
		}
		if props != nil && len(props) == 0 {
			delete(mm, "properties")
		}
	}
}

// vacuous reports whether a schema accepts everything and says nothing a
// generator uses.
func vacuous(s any) bool {
	m, ok := s.(map[string]any)
	if !ok {
		return false
	}
	for k, v := range m {
		switch {
		case isExtension(k), k == "title":
		case k == "properties":
			for _, p := range asMap(v) {
				if !vacuous(p) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// dropEmptyAllOf removes `{}` members of allOf, which constrain nothing;
// upstream leaves them behind when a member only carries an example.
func dropEmptyAllOf(m map[string]any) {
	all, ok := m["allOf"].([]any)
	if !ok {
		return
	}
	kept := all[:0:0]
	for _, mem := range all {
		if mm, isMap := mem.(map[string]any); isMap && len(mm) == 0 {
			continue
		}
		kept = append(kept, mem)
	}
	if len(kept) == 0 {
		delete(m, "allOf")
		return
	}
	m["allOf"] = kept
}

// unwrapAllOf replaces `allOf: [{$ref: X}]`, possibly beside `type: object`
// and a title, with the reference itself: upstream writes the same type both
// ways, and the wrapped form would compare unequal to the bare one.
func unwrapAllOf(m map[string]any) {
	all, ok := m["allOf"].([]any)
	if !ok || len(all) != 1 {
		return
	}
	member := asMap(all[0])
	ref, ok := member["$ref"].(string)
	if !ok || len(member) != 1 {
		return
	}
	for k, v := range m {
		switch {
		case k == "allOf", k == "title":
		case k == "type" && v == "object":
		default:
			return
		}
	}
	clear(m)
	m["$ref"] = ref
}

// collapseAliases removes component schemas that are only a reference to
// another (a file that wraps another to attach an example, once the example
// is gone) and points their users at the target: an alias adds a type name
// and nothing else.
func collapseAliases(doc map[string]any) {
	schemas := child(child(doc, "components", false), "schemas", false)
	const prefix = "#/components/schemas/"
	for {
		renames := map[string]string{}
		for _, name := range sortedKeys(schemas) {
			m := asMap(schemas[name])
			if ref, ok := m["$ref"].(string); ok && len(m) == 1 && ref != prefix+name {
				renames[prefix+name] = ref
				delete(schemas, name)
				break // one at a time: the target may itself be an alias
			}
		}
		if len(renames) == 0 {
			return
		}
		walkMaps(doc, func(m map[string]any) {
			if to, ok := renames[fmt.Sprint(m["$ref"])]; ok {
				m["$ref"] = to
			}
		})
	}
}
