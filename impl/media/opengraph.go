package media

import (
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// maxOGValue bounds each value kept from a page.
const maxOGValue = 1000

// parseOpenGraph reads a page's OpenGraph properties (meta property or
// name "og:…"), falling back to <title> and the description meta for
// og:title and og:description, as clients expect of preview_url.
func parseOpenGraph(r io.Reader) map[string]any {
	og := map[string]any{}
	var title, description string
	inTitle := false
	z := html.NewTokenizer(r)
	for {
		switch z.Next() {
		case html.ErrorToken: // io.EOF, or the page's limit
			if _, ok := og["og:title"]; !ok && title != "" {
				og["og:title"] = clip(title)
			}
			if _, ok := og["og:description"]; !ok && description != "" {
				og["og:description"] = clip(description)
			}
			return og
		case html.TextToken:
			if inTitle && title == "" {
				title = strings.Join(strings.Fields(string(z.Text())), " ")
			}
		case html.EndTagToken:
			inTitle = false
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "title":
				inTitle = true
			case "meta":
				if !hasAttr {
					continue
				}
				var key, content string
				for {
					k, v, more := z.TagAttr()
					switch string(k) {
					case "property", "name":
						if key == "" || strings.HasPrefix(string(v), "og:") {
							key = strings.ToLower(string(v))
						}
					case "content":
						content = strings.TrimSpace(string(v))
					}
					if !more {
						break
					}
				}
				switch {
				case strings.HasPrefix(key, "og:") && content != "":
					if _, seen := og[key]; !seen {
						og[key] = ogValue(key, content)
					}
				case key == "description" && description == "":
					description = content
				}
			}
		}
	}
}

// ogValue keeps sizes as numbers (clients read og:image:width as one).
func ogValue(key, v string) any {
	if strings.HasSuffix(key, ":width") || strings.HasSuffix(key, ":height") {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return clip(v)
}

func clip(s string) string {
	if len(s) <= maxOGValue {
		return s
	}
	s = s[:maxOGValue]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
