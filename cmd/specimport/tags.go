package main

import (
	"path/filepath"
	"strings"
)

// tagUntagged gives the operations of a path item that have no tags one
// naming their upstream file's area ("Join Room" for "Matrix Federation Join
// Room API"), so every operation belongs to a spec area: the coverage report
// groups by tag, and most federation operations have none upstream.
func tagUntagged(item map[string]any, file string, fileTree map[string]any) {
	area := fileArea(file, fileTree)
	for _, m := range methods {
		op := child(item, m, false)
		if op == nil {
			continue
		}
		if tags, _ := op["tags"].([]any); len(tags) == 0 {
			op["tags"] = []any{area}
		}
	}
}

// fileArea names a file's area from its info.title, or its file name.
func fileArea(file string, tree map[string]any) string {
	title, _ := child(tree, "info", false)["title"].(string)
	title = strings.TrimSuffix(strings.TrimSpace(title), " API")
	for _, prefix := range []string{"Matrix ", "Federation ", "Client-Server "} {
		title = strings.TrimPrefix(title, prefix)
	}
	if title == "" || strings.HasPrefix(title, "Matrix") {
		return pascalWords(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)))
	}
	return title
}

// pascalWords turns "joins-v2" into "Joins V2".
func pascalWords(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || r == ' ' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}
