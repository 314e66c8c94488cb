package syncer

import (
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// pickFields keeps only the listed fields of an event: dot-separated paths,
// with `\.` for a dot inside a name, as event_fields writes them.
func pickFields(e []byte, paths []string) []byte {
	out := []byte("{}")
	for _, p := range paths {
		path := escapePath(p)
		v := gjson.GetBytes(e, path)
		if !v.Exists() {
			continue
		}
		if next, err := sjson.SetRawBytes(out, path, []byte(v.Raw)); err == nil {
			out = next
		}
	}
	return out
}

// escapePath makes an event_fields path a gjson/sjson path: both split on
// unescaped dots already, but gjson also reads *, ?, #, @, |, ! and : as
// syntax, which in a field name are plain characters.
func escapePath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '\\':
			b.WriteByte(c)
			if i+1 < len(p) {
				i++
				b.WriteByte(p[i])
			}
			continue
		case '*', '?', '#', '@', '|', '!', ':':
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}
