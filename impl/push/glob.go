package push

import (
	"regexp"
	"strings"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// glob is a compiled glob-style pattern (v1.19 appendices: * matches any
// run of characters, ? exactly one), matched case-insensitively.
type glob struct {
	// literal is the lower-cased pattern when it has no wildcards, matched
	// without a regular expression (most patterns: event types, msgtypes,
	// memberships, user IDs).
	literal string
	isLit   bool
	re      *regexp.Regexp
	// words makes the pattern match any substring that starts and ends at
	// a word boundary, as for content.body and content rules; otherwise it
	// must match the whole value.
	words bool
}

// globCache keeps compiled patterns, shared by every user's rules: default
// rules and common patterns compile once. It stops growing at a bound, past
// which patterns compile per ruleset.
var globCache = struct {
	sync.Mutex
	m map[globKey]*glob
}{m: map[globKey]*glob{}}

type globKey struct {
	pattern string
	words   bool
}

const globCacheMax = 10000

func compileGlob(pattern string, words bool) *glob {
	k := globKey{pattern, words}
	globCache.Lock()
	g := globCache.m[k]
	globCache.Unlock()
	if g != nil {
		return g
	}
	g = newGlob(pattern, words)
	globCache.Lock()
	if len(globCache.m) < globCacheMax {
		globCache.m[k] = g
	}
	globCache.Unlock()
	return g
}

func newGlob(pattern string, words bool) *glob {
	g := &glob{words: words}
	if !strings.ContainsAny(pattern, "*?") {
		g.literal, g.isLit = strings.ToLower(pattern), true
		return g
	}
	var b strings.Builder
	b.WriteString("(?is)")
	if words {
		b.WriteString(`(?:^|[^A-Za-z0-9_])(?:`)
	} else {
		b.WriteString(`^(?:`)
	}
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	if words {
		b.WriteString(`)(?:[^A-Za-z0-9_]|$)`)
	} else {
		b.WriteString(`)$`)
	}
	// Quoted literals and . and .* always compile.
	g.re = regexp.MustCompile(b.String())
	return g
}

// match tells whether s matches; lower is s lower-cased (the literal path
// compares with it).
func (g *glob) match(s, lower string) bool {
	if !g.isLit {
		return g.re.MatchString(s)
	}
	if !g.words {
		return lower == g.literal
	}
	return containsWord(lower, g.literal)
}

// containsWord tells whether word occurs in s starting and ending at word
// boundaries: the ends of s, or any character but [A-Za-z0-9_]. An empty
// word matches anywhere.
func containsWord(s, word string) bool {
	if word == "" {
		return true
	}
	for from := 0; from <= len(s)-len(word); {
		i := strings.Index(s[from:], word)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(word)
		if (i == 0 || !isWordByte(s[i-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		from = i + 1
	}
	return false
}

func isWordByte(c byte) bool {
	return c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// parsePath splits a dot-separated property path (v1.19 appendices): a
// backslash escapes a dot or a backslash; any other backslash is itself.
// It returns the path in gjson's syntax.
func parsePath(key string) (string, error) {
	if key == "" {
		return "", mxerr.New(mxerr.InvalidParam, "a push condition needs a non-empty key")
	}
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '\\' && i+1 < len(key) && (key[i+1] == '.' || key[i+1] == '\\'):
			cur.WriteByte(key[i+1])
			i++
		case c == '.':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	parts = append(parts, cur.String())
	for i, p := range parts {
		parts[i] = gjson.Escape(p)
	}
	return strings.Join(parts, "."), nil
}
