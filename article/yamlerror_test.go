package article

import (
	"errors"
	"strings"
	"testing"
)

// TestYAMLErrorPlace checks that invalid YAML is refused naming the line
// and column in the file (its --- line is line 1) of what yaml stumbled
// on, not the line yaml's own message gives (often the line the mapping
// starts on).
func TestYAMLErrorPlace(t *testing.T) {
	// article is a front matter whose line n (in the file) is bad.
	article := func(bad string, n int) string {
		lines := []string{"---", "title: عنوان الخبر", "date: 2026-12-01", "author: سارة أحمد",
			"categories: [اقتصاد]", "tags: [نفط]", "lang: ar", "draft: false", "image: a.jpg",
			"image_alt: صورة", "link: https://example.com/a", "summary: ملخص"}
		lines = append(lines[:n-1], append([]string{bad}, lines[n-1:]...)...)
		return strings.Join(lines, "\n") + "\n---\n\nنص.\n"
	}
	for _, tc := range []struct {
		name, file, in string
		at             string
	}{
		{"a bracket too many", "a.md", article("tags: [a, b]]", 5), "line 5, column 13: did not find expected key"},
		{"a list item among keys", "a.md", article("- x", 5), "line 5, column 1: did not find expected key"},
		{"a tab before a key", "a.md", article("\tlang: ar", 3), "line 3, column 1: found a tab character"},
		{"a quote inside a quoted summary", "a.md", article(`summary: "قال "الوزير" إن"`, 11), "line 11, column 15: did not find expected key"},
		{"an unclosed quote", "a.md", article(`summary: "قال الوزير`, 11), "line 11, column 10: found unexpected end of stream"},
		{"a colon in a title", "a.md", "---\ntitle: الرياض: خبر\n---\n", "line 2, column 14: mapping values are not allowed"},
		{"a tab in a list", "a.md", "---\ntitle: t\ntags:\n\t- a\n---\n", "line 4, column 1: found character that cannot start any token"},
		{"an unknown alias", "a.md", "---\ntitle: t\n\nx: [a, *nope]\n---\n", "line 4, column 8: unknown anchor 'nope' referenced"},
		{"a key indented too little", "a.md", "---\ntitle: t\nauthor:\n  name: x\n url: y\n---\n", "line 5, column 2: did not find expected key"},
		{"in a .txt", "a.txt", "---\ntitle: t\n\nsummary: 'x'y\n---\nنص\n", "line 4, column 10: did not find expected key"},
		{"BOM and CRLF", "a.md", "\uFEFF---\r\ntitle: t\r\ntags: [a]]\r\n---\r\n", "line 3, column 10: did not find expected key"},
		{"CR only", "a.md", "---\rtitle: t\r\rtags: [a]]\r---\r", "line 4, column 10: did not find expected key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.file, []byte(tc.in), Options{Now: fixedNow})
			if !errors.Is(err, ErrYAML) {
				t.Fatalf("Parse(%q) error = %v, want %v", tc.in, err, ErrYAML)
			}
			if want := ErrYAML.Error() + ": " + tc.at; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Parse(%q) error = %q, want it to start %q", tc.in, err, want)
			}
		})
	}
}
