package main

import (
	"fmt"
	"slices"
	"strings"
)

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// basePath returns the default of servers[0].variables.basePath: upstream
// writes paths relative to it ("/rooms/{roomId}/send/...") and the document
// we produce has full paths and no servers.
func basePath(file map[string]any) (string, error) {
	servers, _ := file["servers"].([]any)
	if len(servers) == 0 {
		return "", fmt.Errorf("no servers")
	}
	vars := child(child(asMap(servers[0]), "variables", false), "basePath", false)
	base, ok := vars["default"].(string)
	if !ok {
		return "", fmt.Errorf("servers[0] has no basePath default")
	}
	return strings.TrimSuffix(base, "/"), nil
}

// addPathItem adds item's operations under path, which several files may
// share with different methods.
func addPathItem(paths map[string]any, path string, item map[string]any) error {
	existing := child(paths, path, false)
	if existing == nil {
		paths[path] = item
		return nil
	}
	for _, k := range sortedKeys(item) {
		if _, dup := existing[k]; dup {
			return fmt.Errorf("%s %s defined twice", strings.ToUpper(k), path)
		}
		existing[k] = item[k]
	}
	return nil
}

// mergeSpacedPaths folds paths that upstream writes with a trailing space
// (to document two forms of one endpoint separately) into the real path. Two
// operations on the same path and method become one, named by the overlay.
func mergeSpacedPaths(doc map[string]any, merged map[string]string) error {
	paths := child(doc, "paths", false)
	used := map[string]bool{}
	for _, p := range sortedKeys(paths) {
		real := strings.TrimSpace(p)
		if real == p {
			continue
		}
		item := asMap(paths[p])
		delete(paths, p)
		target := child(paths, real, false)
		if target == nil {
			paths[real] = item
			continue
		}
		for _, method := range sortedKeys(item) {
			op := asMap(item[method])
			other, clash := target[method]
			if !clash {
				target[method] = op
				continue
			}
			key := strings.ToUpper(method) + " " + real
			name, ok := merged[key]
			if !ok {
				return fmt.Errorf("%s has two operations: name the merged one in the overlay's mergedOperations", key)
			}
			used[key] = true
			m, err := mergeOperations(doc, name, asMap(other), op)
			if err != nil {
				return fmt.Errorf("merge %s: %w", key, err)
			}
			target[method] = m
		}
	}
	for _, key := range sortedKeys(merged) {
		if !used[key] {
			return fmt.Errorf("overlay mergedOperations: %s merges nothing", key)
		}
	}
	return nil
}

// mergeOperations makes one operation of two documented forms of the same
// endpoint: parameters are united (those only one form has become
// optional), bodies that differ become an anyOf of both, and everything
// else must agree.
func mergeOperations(doc map[string]any, name string, a, b map[string]any) (map[string]any, error) {
	// Order the two forms by their upstream names, not by which file or
	// path spelling came first.
	if fmt.Sprint(a["operationId"]) > fmt.Sprint(b["operationId"]) {
		a, b = b, a
	}
	out := map[string]any{"operationId": name}
	for _, k := range sortedKeys(union(a, b)) {
		va, inA := a[k]
		vb, inB := b[k]
		switch k {
		case "operationId":
		case "parameters":
			params, err := mergeParameters(va, vb)
			if err != nil {
				return nil, err
			}
			out[k] = params
		case "requestBody":
			body, err := mergeBodies(doc, asMap(va), asMap(vb), a, b)
			if err != nil {
				return nil, err
			}
			out[k] = body
		case "responses":
			resp, err := mergeResponses(asMap(va), asMap(vb))
			if err != nil {
				return nil, err
			}
			out[k] = resp
		case "tags":
			out[k] = mergeTags(va, vb)
		case "deprecated":
			// Deprecated only if every form is.
			if va == true && vb == true {
				out[k] = true
			}
		case "x-addedInMatrixVersion":
			if inA && inB && va == vb {
				out[k] = va
			}
		default:
			if !inA || !inB || !equalIgnoring(va, vb, "title") {
				return nil, fmt.Errorf("the two forms differ in %s", k)
			}
			out[k] = va
		}
	}
	return out, nil
}

func union(a, b map[string]any) map[string]any {
	u := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		u[k] = v
	}
	for k, v := range b {
		u[k] = v
	}
	return u
}

func mergeParameters(a, b any) ([]any, error) {
	type id struct{ in, name string }
	key := func(p any) id { m := asMap(p); return id{fmt.Sprint(m["in"]), fmt.Sprint(m["name"])} }
	la, _ := a.([]any)
	lb, _ := b.([]any)
	var out []any
	seen := map[id]bool{}
	for _, p := range la {
		pa := asMap(p)
		k := key(p)
		seen[k] = true
		i := slices.IndexFunc(lb, func(q any) bool { return key(q) == k })
		if i < 0 {
			out = append(out, optional(pa))
			continue
		}
		pb := asMap(lb[i])
		if !equalIgnoring(without(pa, []string{"required"}), without(pb, []string{"required"}), "title") {
			return nil, fmt.Errorf("parameter %s %s differs", k.in, k.name)
		}
		m := clone(pa).(map[string]any)
		if pa["required"] != true || pb["required"] != true {
			delete(m, "required")
		}
		out = append(out, m)
	}
	for _, p := range lb {
		if !seen[key(p)] {
			out = append(out, optional(asMap(p)))
		}
	}
	return out, nil
}

// optional returns a copy of a parameter that only one form has.
func optional(p map[string]any) map[string]any {
	m := clone(p).(map[string]any)
	if m["in"] != "path" {
		delete(m, "required")
	}
	return m
}

// mergeResponses unites the status codes of both forms; a code both forms
// answer must answer the same.
func mergeResponses(a, b map[string]any) (map[string]any, error) {
	out := clone(a).(map[string]any)
	for _, code := range sortedKeys(b) {
		if ra, ok := a[code]; ok && !equalIgnoring(ra, b[code], "title") {
			return nil, fmt.Errorf("the two forms answer %s differently", code)
		}
		out[code] = clone(b[code])
	}
	return out, nil
}

func mergeTags(a, b any) []any {
	var tags []string
	for _, l := range []any{a, b} {
		s, _ := l.([]any)
		for _, t := range s {
			if ts := fmt.Sprint(t); !slices.Contains(tags, ts) {
				tags = append(tags, ts)
			}
		}
	}
	slices.Sort(tags)
	out := make([]any, len(tags))
	for i, t := range tags {
		out[i] = t
	}
	return out
}

// mergeBodies keeps an identical body, or accepts either form's JSON body
// through anyOf. anyOf rather than oneOf: both forms allow extra keys, so a
// body carrying both forms' fields would match both and fail oneOf, and
// telling the forms apart is the handler's job. Inline bodies are hoisted
// as <OperationId>Body so the generated union has named members.
func mergeBodies(doc, a, b, opA, opB map[string]any) (map[string]any, error) {
	if a == nil || b == nil {
		return nil, fmt.Errorf("only one form has a request body")
	}
	if equalIgnoring(a, b, "title") {
		return a, nil
	}
	ca, cb := child(a, "content", false), child(b, "content", false)
	if len(ca) != 1 || len(cb) != 1 || ca["application/json"] == nil || cb["application/json"] == nil {
		return nil, fmt.Errorf("request bodies differ beyond their JSON schema")
	}
	var members []any
	for _, f := range []struct {
		body, op map[string]any
	}{{ca, opA}, {cb, opB}} {
		schema := asMap(child(f.body, "application/json", false)["schema"])
		if _, isRef := schema["$ref"]; !isRef {
			name := pascal(fmt.Sprint(f.op["operationId"])) + "Body"
			schemas := child(child(doc, "components", true), "schemas", true)
			if _, taken := schemas[name]; taken {
				return nil, fmt.Errorf("schema %s already exists", name)
			}
			schemas[name] = schema
			schema = map[string]any{"$ref": "#/components/schemas/" + name}
		}
		members = append(members, schema)
	}
	out := map[string]any{
		"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"anyOf": members}}},
	}
	if a["required"] == true && b["required"] == true {
		out["required"] = true
	}
	return out, nil
}

// operations indexes a document's operations by operationId.
func operations(doc map[string]any) map[string]map[string]any {
	ops := map[string]map[string]any{}
	paths := child(doc, "paths", false)
	for _, p := range sortedKeys(paths) {
		item := asMap(paths[p])
		for _, method := range methods {
			if op := child(item, method, false); op != nil {
				if id, ok := op["operationId"].(string); ok {
					ops[id] = op
				}
			}
		}
	}
	return ops
}
