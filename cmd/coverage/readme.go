package main

import (
	"bytes"
	"fmt"
	"os"
)

// The README's coverage section sits between these markers.
const (
	startMarker = "<!-- coverage:start (written by make coverage) -->\n"
	endMarker   = "<!-- coverage:end -->"
)

// updateReadme puts the markdown summary between the markers of path, or with
// check, fails when what is there differs from it.
func updateReadme(path string, reports []report, check bool) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	start := bytes.Index(doc, []byte(startMarker))
	end := bytes.Index(doc, []byte(endMarker))
	if start < 0 || end < start {
		return fmt.Errorf("%s has no coverage markers", path)
	}
	var section bytes.Buffer
	if err := writeMarkdown(&section, reports); err != nil {
		return err
	}
	current := doc[start+len(startMarker) : end]
	if bytes.Equal(current, section.Bytes()) {
		return nil
	}
	if check {
		return fmt.Errorf("the coverage section of %s is stale: run make coverage", path)
	}
	var out bytes.Buffer
	out.Write(doc[:start+len(startMarker)])
	out.Write(section.Bytes())
	out.Write(doc[end:])
	return os.WriteFile(path, out.Bytes(), 0o644)
}
