package media

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestContentDisposition(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, contentType, fileName, want string }{
		{"image inline", "image/png", "cat.png", `inline; filename="cat.png"`},
		{"type parameters do not matter", "text/plain; charset=utf-8", "a.txt", `inline; filename="a.txt"`},
		{"html attachment", "text/html", "a.html", `attachment; filename="a.html"`},
		{"xhtml attachment", "application/xhtml+xml", "a.xhtml", `attachment; filename="a.xhtml"`},
		{"svg attachment", "image/svg+xml", "a.svg", `attachment; filename="a.svg"`},
		{"javascript attachment", "text/javascript", "a.js", `attachment; filename="a.js"`},
		{"malformed type attachment", "image/", "a", `attachment; filename="a"`},
		{"no name", "image/png", "", "inline"},
		{"non-ASCII name in RFC 5987 form", "image/png", "chât 1.png", "inline; filename*=utf-8''ch%C3%A2t%201.png"},
		{"percent in a name is encoded", "image/png", "100%.png", "inline; filename*=utf-8''100%25.png"},
		{"quotes dropped", "image/png", `a"b.png`, `inline; filename="ab.png"`},
		{"path dropped", "image/png", `C:\Users\x\a.png`, `inline; filename="a.png"`},
		{"header injection dropped", "image/png", "a.png\r\nSet-Cookie: x=1", `inline; filename="a.pngSet-Cookie: x=1"`},
		{"leading dots dropped", "image/png", "...bashrc", `inline; filename="bashrc"`},
		{"only dots is no name", "image/png", "..", "inline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, ContentDisposition(tc.contentType, tc.fileName))
		})
	}
}

func TestSanitizeFileNameBoundsLength(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 200) // 400 bytes
	got := SanitizeFileName(long)
	require.LessOrEqual(t, len(got), 255)
	require.Equal(t, strings.Repeat("é", 127), got, "cut on a rune boundary")
	require.Equal(t, "\uFFFD", SanitizeFileName("\xff"))
}
