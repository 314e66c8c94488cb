package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

// resolver inlines or hoists every "$ref" of one API's files, producing a
// single document whose only references are "#/components/...".
//
// Whole-file references become components/schemas entries, once per file, so
// shared types (ClientEvent, Error, ...) are defined and generated once.
// References to a part of another file (the security schemes) are inlined.
//
// Each API file's own schemas and security schemes are merged into the
// document's components; a schema name two files define differently is kept
// by the first file and suffixed for the others. A file's other components
// (parameters, responses, headers, request bodies) are inlined where used:
// they are file-local shorthands whose names ("404", "limit", "roomId") make
// clashing, meaningless Go types once global, and some are defined by two
// files differently.
type resolver struct {
	apiDir string            // data/api: file names in errors and overlays are relative to it
	names  map[string]string // overlay: hoisted file (relative to apiDir) → schema name
	used   map[string]bool   // names entries that applied

	files      map[string]any            // absolute path → prose-free tree, read once
	hoisted    map[string]string         // absolute path → schema name
	owners     map[string]string         // schema name → absolute path of the hoisted file
	comps      map[string]map[string]any // section → name → resolved node
	local      map[localKey]string       // a file's component → its name in the document
	inProgress map[localKey]bool
}

type localKey struct{ file, section, name string }

func newResolver(apiDir string, names map[string]string) *resolver {
	return &resolver{
		apiDir:     apiDir,
		names:      names,
		used:       map[string]bool{},
		files:      map[string]any{},
		hoisted:    map[string]string{},
		owners:     map[string]string{},
		comps:      map[string]map[string]any{},
		local:      map[localKey]string{},
		inProgress: map[localKey]bool{},
	}
}

// load reads a file once and strips its prose, so that references inside
// examples are never followed.
func (r *resolver) load(path string) (any, error) {
	if t, ok := r.files[path]; ok {
		return t, nil
	}
	t, err := readTree(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", r.rel(path), err)
	}
	stripProse(t)
	r.files[path] = t
	return t, nil
}

func (r *resolver) rel(path string) string {
	if rel, err := filepath.Rel(r.apiDir, path); err == nil {
		return filepath.ToSlash(rel)
	}
	return path
}

// resolve returns a copy of t, read from file, with its references resolved.
func (r *resolver) resolve(t any, file string) (any, error) {
	switch v := t.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			// Keys beside a $ref are upstream annotations (descriptions,
			// titles, a redundant type): the reference alone is the fact.
			return r.resolveRef(ref, file)
		}
		out := make(map[string]any, len(v))
		for _, k := range sortedKeys(v) {
			if dataKeys[k] || isExtension(k) {
				out[k] = clone(v[k])
				continue
			}
			c, err := r.resolve(v[k], file)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, c := range v {
			rc, err := r.resolve(c, file)
			if err != nil {
				return nil, err
			}
			out[i] = rc
		}
		return out, nil
	}
	return t, nil
}

func (r *resolver) resolveRef(ref, file string) (any, error) {
	target, frag, _ := strings.Cut(ref, "#")
	if target == "" {
		if section, name, ok := componentPointer(frag); ok && mergedSections[section] {
			final, err := r.localComponent(file, section, name)
			if err != nil {
				return nil, err
			}
			return map[string]any{"$ref": "#/components/" + section + "/" + final}, nil
		}
		return r.inline(file, frag)
	}
	path := filepath.Join(filepath.Dir(file), filepath.FromSlash(target))
	if frag == "" {
		name, err := r.hoist(path)
		if err != nil {
			return nil, err
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}, nil
	}
	return r.inline(path, frag)
}

// mergedSections are the component sections merged into the document.
var mergedSections = map[string]bool{"schemas": true, "securitySchemes": true}

// componentPointer splits "/components/<section>/<name>".
func componentPointer(frag string) (section, name string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(frag, "/"), "/")
	if len(parts) != 3 || parts[0] != "components" {
		return "", "", false
	}
	return parts[1], unescapePointer(parts[2]), true
}

// inline resolves the node at a JSON pointer inside file.
func (r *resolver) inline(file, frag string) (any, error) {
	t, err := r.load(file)
	if err != nil {
		return nil, err
	}
	n, err := pointer(t, frag)
	if err != nil {
		return nil, fmt.Errorf("resolve %s#%s: %w", r.rel(file), frag, err)
	}
	return r.resolve(n, file)
}

// hoist makes a whole file a components/schemas entry and returns its name.
func (r *resolver) hoist(path string) (string, error) {
	if name, ok := r.hoisted[path]; ok {
		return name, nil
	}
	t, err := r.load(path)
	if err != nil {
		return "", err
	}
	m := asMap(t)
	if m == nil {
		return "", fmt.Errorf("hoist %s: not a schema object", r.rel(path))
	}
	name := r.schemaName(r.rel(path), m)
	if other, ok := r.owners[name]; ok {
		return "", fmt.Errorf("hoist %s: schema name %s is already used by %s; name one of them in the overlay's schemaNames",
			r.rel(path), name, r.rel(other))
	}
	if _, ok := r.section("schemas")[name]; ok {
		return "", fmt.Errorf("hoist %s: schema name %s is already a component; name it in the overlay's schemaNames", r.rel(path), name)
	}
	// Register before resolving the body: schemas refer to themselves
	// (recursive filters, nested events).
	r.hoisted[path] = name
	r.owners[name] = path
	r.section("schemas")[name] = nil
	body, err := r.resolve(m, path)
	if err != nil {
		return "", err
	}
	r.section("schemas")[name] = body
	return name, nil
}

// localComponent returns the document name of a component that file
// defines, merging it into the document on first use.
func (r *resolver) localComponent(file, section, name string) (string, error) {
	key := localKey{file, section, name}
	if final, ok := r.local[key]; ok {
		return final, nil
	}
	if r.inProgress[key] {
		return "", fmt.Errorf("%s: component %s/%s refers to itself", r.rel(file), section, name)
	}
	r.inProgress[key] = true
	defer delete(r.inProgress, key)

	t, err := r.load(file)
	if err != nil {
		return "", err
	}
	raw, ok := child(child(asMap(t), "components", false), section, false)[name]
	if !ok {
		return "", fmt.Errorf("%s: no component %s/%s", r.rel(file), section, name)
	}
	val, err := r.resolve(raw, file)
	if err != nil {
		return "", err
	}
	preferred := name
	if section == "schemas" {
		preferred = pascal(name)
		key := r.rel(file) + "#/components/schemas/" + name
		if n, ok := r.names[key]; ok {
			preferred = n
			r.used[key] = true
		}
	}
	final := r.place(section, preferred, val, file)
	r.local[key] = final
	return final, nil
}

// place adds a resolved component, reusing an equal one of the same name.
func (r *resolver) place(section, name string, val any, file string) string {
	comps := r.section(section)
	for i := 1; ; i++ {
		candidate := name
		if i > 1 {
			candidate = name + pascal(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)))
			if i > 2 {
				candidate += fmt.Sprint(i)
			}
		}
		existing, taken := comps[candidate]
		if !taken {
			comps[candidate] = val
			return candidate
		}
		if equalIgnoring(existing, val) {
			return candidate
		}
	}
}

// mergeComponents merges every component file defines, used or not: security
// schemes, for one, are named by operations rather than referenced.
func (r *resolver) mergeComponents(file string) error {
	t, err := r.load(file)
	if err != nil {
		return err
	}
	comps := child(asMap(t), "components", false)
	for _, section := range sortedKeys(comps) {
		if !mergedSections[section] {
			continue
		}
		for _, name := range sortedKeys(child(comps, section, false)) {
			final, err := r.localComponent(file, section, name)
			if err != nil {
				return err
			}
			if section == "securitySchemes" && final != name {
				return fmt.Errorf("%s: security scheme %s differs from another file's", r.rel(file), name)
			}
		}
	}
	return nil
}

func (r *resolver) section(name string) map[string]any {
	s, ok := r.comps[name]
	if !ok {
		s = map[string]any{}
		r.comps[name] = s
	}
	return s
}

// pointer follows a JSON pointer ("/a/b~1c") into t.
func pointer(t any, frag string) (any, error) {
	if frag == "" || frag == "/" {
		return t, nil
	}
	cur := t
	for _, raw := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		key := unescapePointer(raw)
		m := asMap(cur)
		if m == nil {
			return nil, fmt.Errorf("%q: not an object", key)
		}
		next, ok := m[key]
		if !ok {
			return nil, fmt.Errorf("%q: no such key", key)
		}
		cur = next
	}
	return cur, nil
}

func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// unusedNames reports overlay names that matched no file or schema.
func (r *resolver) unusedNames() error {
	for _, k := range sortedKeys(r.names) {
		if !r.used[k] {
			return fmt.Errorf("overlay schemaNames: %s names nothing", k)
		}
	}
	return nil
}
