package media

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseOpenGraph(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, page string
		want       map[string]any
	}{
		{"og properties", `<html><head>
			<meta property="og:title" content="Matrix Blog">
			<meta property="og:description" content=" All about it ">
			<meta property="og:image" content="/logo.png">
			<meta property="og:image:width" content="48">
			<title>ignored</title></head></html>`,
			map[string]any{"og:title": "Matrix Blog", "og:description": "All about it", "og:image": "/logo.png", "og:image:width": 48}},
		{"title and description fall back", `<title>  A   Page </title><meta name="description" content="Words">`,
			map[string]any{"og:title": "A Page", "og:description": "Words"}},
		{"og in name attribute", `<meta name="og:title" content="By name">`, map[string]any{"og:title": "By name"}},
		{"first value wins", `<meta property="og:title" content="one"><meta property="og:title" content="two">`, map[string]any{"og:title": "one"}},
		{"empty page", ``, map[string]any{}},
		{"not html at all", "\x00\x01binary", map[string]any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, parseOpenGraph(strings.NewReader(tc.page)))
		})
	}
	t.Run("long values are clipped", func(t *testing.T) {
		t.Parallel()
		og := parseOpenGraph(strings.NewReader(`<meta property="og:description" content="` + strings.Repeat("x", 5000) + `">`))
		require.Len(t, og["og:description"], maxOGValue+len("…"))
	})
}
