package main

// proseKeys are the keywords whose values are upstream text or sample data,
// not facts an implementation or a validator needs. Examples go too: besides
// being prose-like, upstream examples use non-standard "$ref"s with sibling
// keys that no OpenAPI tool reads.
var proseKeys = []string{
	"description", "summary", "example", "examples", "x-example",
	"externalDocs", "$comment", "x-changedInMatrixVersion",
}

// stripProse removes prose keywords from every structural mapping of t.
// Titles stay for now: they name hoisted schemas and anchor overlay rules,
// and stripTitles drops them at the end.
func stripProse(t any) {
	walkMaps(t, func(m map[string]any) {
		for _, k := range proseKeys {
			delete(m, k)
		}
	})
}

// stripTitles removes every schema title.
func stripTitles(t any) {
	walkMaps(t, func(m map[string]any) {
		if _, ok := m["title"].(string); ok {
			delete(m, "title")
		}
	})
}

// blankResponseDescriptions gives every response object the empty
// description OpenAPI requires of it, now that the upstream text is gone.
func blankResponseDescriptions(doc map[string]any) {
	blank := func(responses map[string]any) {
		for _, code := range sortedKeys(responses) {
			if r := asMap(responses[code]); r != nil && r["$ref"] == nil {
				r["description"] = ""
			}
		}
	}
	blank(child(child(doc, "components", false), "responses", false))
	paths := child(doc, "paths", false)
	for _, p := range sortedKeys(paths) {
		for _, m := range methods {
			blank(child(child(asMap(paths[p]), m, false), "responses", false))
		}
	}
}
