package main

import (
	"fmt"
	"os"
	"regexp"
)

// upstream identifies the spec checkout an import was made from.
type upstream struct {
	Repository, Tag, Commit string
}

var (
	repoLine   = regexp.MustCompile("(?m)^- Repository: (\\S+)")
	tagLine    = regexp.MustCompile("(?m)^- Tag: `([^`]+)`")
	commitLine = regexp.MustCompile("(?m)^- Commit: `([0-9a-f]{40})`")
)

// readUpstream reads the tag and commit from the checkout's SOURCE.md.
func readUpstream(path string) (upstream, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return upstream{}, fmt.Errorf("read upstream source: %w", err)
	}
	var u upstream
	for _, f := range []struct {
		re  *regexp.Regexp
		dst *string
	}{{repoLine, &u.Repository}, {tagLine, &u.Tag}, {commitLine, &u.Commit}} {
		m := f.re.FindSubmatch(data)
		if m == nil {
			return upstream{}, fmt.Errorf("%s: no line matching %s", path, f.re)
		}
		*f.dst = string(m[1])
	}
	return u, nil
}

// sourceFile renders spec/matrix/SOURCE.
func (u upstream) sourceFile() []byte {
	return fmt.Appendf(nil, "# Written by cmd/specimport: the upstream Matrix spec that spec/matrix/ was imported from.\nrepository: %s\ntag: %s\ncommit: %s\n",
		u.Repository, u.Tag, u.Commit)
}
