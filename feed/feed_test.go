package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var testConfig = Config{
	BaseURL:     "https://news.example.com",
	Title:       "أخبار سيدفيد",
	Description: "آخر الأخبار",
	Author:      "غرفة الأخبار",
	Lang:        language.Arabic,
	Limit:       50,
	MaxAge:      300 * time.Second,
}

var t0 = time.Date(2024, 2, 10, 8, 30, 0, 0, time.UTC)

// testItems are hard to carry: markup characters, a CDATA end, bidi
// marks, an Arabic path with spaces and brackets, a renamed article and
// one without paragraphs. Newest first.
func testItems() []storage.Item {
	return []storage.Item{
		{
			Key:  "أخبار محلية/مقال (1)",
			Path: "أخبار محلية/مقال (1).txt",
			Article: article.Article{
				Title: `عنوان فيه <b>وسم</b> & "اقتباس" و 'مفرد'`,
				Paragraphs: []string{
					"الفقرة الأولى: ٢٠٪ من <script>alert(1)</script> ، ؛ ؟",
					"\u200fمُحَمَّدٌ ـــ \u200eLTR\u200e نهاية ]]> و &amp; 😀 ﻻ",
				},
			},
			Published: t0.Add(2 * time.Hour),
			Updated:   t0.Add(26 * time.Hour),
		},
		{
			Key:       "old-name",
			Path:      "new-name.txt",
			Article:   article.Article{Title: "مقال أعيدت تسميته", Paragraphs: []string{"ملخص", "فقرة ثانية"}},
			Published: t0.Add(time.Hour),
			Updated:   t0.Add(time.Hour),
		},
		{
			Key:       "عنوان-فقط",
			Path:      "عنوان-فقط.txt",
			Article:   article.Article{Title: "عنوان بلا فقرات"},
			Published: t0,
			Updated:   t0,
		},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./feed -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./feed -update and review the diff):\n%s", name, lineDiff(want, got))
	}
}

// lineDiff shows where got departs from want: the lines between their
// common beginning and their common end, numbered, "-" for want and "+"
// for got, with a few unchanged lines around them. It is no minimal diff,
// only enough to see what changed without reading the whole document.
func lineDiff(want, got []byte) string {
	const context, most = 3, 12
	w, g := lines(want), lines(got)
	pre := 0
	for pre < len(w) && pre < len(g) && w[pre] == g[pre] {
		pre++
	}
	suf := 0
	for suf < len(w)-pre && suf < len(g)-pre && w[len(w)-1-suf] == g[len(g)-1-suf] {
		suf++
	}
	var b strings.Builder
	line := func(mark string, i int, s string) {
		s, ok := strings.CutSuffix(s, "\n")
		if !ok {
			s += " (no final newline)"
		}
		fmt.Fprintf(&b, "%s%5d  %s\n", mark, i+1, s)
	}
	changed := func(mark string, lines []string, end int) {
		for i := pre; i < end && i < pre+most; i++ {
			line(mark, i, lines[i])
		}
		if end-pre > most {
			fmt.Fprintf(&b, "%s       … %d more lines\n", mark, end-pre-most)
		}
	}
	for i := max(0, pre-context); i < pre; i++ {
		line(" ", i, w[i])
	}
	changed("-", w, len(w)-suf)
	changed("+", g, len(g)-suf)
	for i := len(g) - suf; i < len(g)-suf+context && i < len(g); i++ {
		line(" ", i, g[i])
	}
	return b.String()
}

// lines splits text after each newline; a last line without one is kept.
func lines(text []byte) []string {
	l := strings.SplitAfter(string(text), "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

func renderAll(t *testing.T, items []storage.Item, cfg Config) map[string][]byte {
	t.Helper()
	s, err := render(items, cfg, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{"atom": s.atom.plain.body, "rss": s.rss.plain.body, "json": s.json.plain.body, "html": s.index.plain.body}
	if len(items) > 0 {
		page, err := articlePage(items[0], cfg)
		if err != nil {
			t.Fatal(err)
		}
		out["article.html"] = page
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		items []storage.Item
	}{
		{"articles", testItems()},
		{"empty", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for ext, body := range renderAll(t, tc.items, testConfig) {
				golden(t, tc.name+"."+ext, body)
			}
		})
	}
}

// TestWellFormedXML decodes the XML documents with encoding/xml in strict mode.
func TestWellFormedXML(t *testing.T) {
	out := renderAll(t, testItems(), testConfig)
	for _, name := range []string{"atom", "rss"} {
		d := xml.NewDecoder(bytes.NewReader(out[name]))
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
}

// TestLanguageFromConfig renders for English: every language mark follows.
func TestLanguageFromConfig(t *testing.T) {
	cfg := testConfig
	cfg.Lang = language.MustParse("en-GB")
	out := renderAll(t, testItems()[:1], cfg)
	for name, want := range map[string][]string{
		"atom":         {`<feed xml:lang="en-GB"`, `<entry xml:lang="en-GB">`, `dir=&#34;ltr&#34; lang=&#34;en-GB&#34;`},
		"rss":          {`<language>en-GB</language>`, `<div dir="ltr" lang="en-GB">`},
		"json":         {`"language": "en-GB"`, `<div dir=\"ltr\" lang=\"en-GB\">`},
		"html":         {`<html lang="en-GB" dir="ltr">`},
		"article.html": {`<html lang="en-GB" dir="ltr">`},
	} {
		for _, w := range want {
			if !bytes.Contains(out[name], []byte(w)) {
				t.Errorf("%s does not contain %s", name, w)
			}
		}
		if bytes.Contains(out[name], []byte(`"ar"`)) || bytes.Contains(out[name], []byte("rtl")) {
			t.Errorf("%s still says ar or rtl", name)
		}
	}
}

func TestLineDiff(t *testing.T) {
	for _, tc := range []struct {
		name, want, got, diff string
	}{
		{
			name: "one line changed",
			want: "a\nb\nc\nd\ne\nf\ng\nh\n",
			got:  "a\nb\nc\nd\nE\nf\ng\nh\n",
			diff: "     2  b\n     3  c\n     4  d\n-    5  e\n+    5  E\n     6  f\n     7  g\n     8  h\n",
		},
		{
			name: "line added at the end",
			want: "a\nb\n",
			got:  "a\nb\nc\n",
			diff: "     1  a\n     2  b\n+    3  c\n",
		},
		{
			name: "no final newline",
			want: "a\nb\n",
			got:  "a\nb",
			diff: "     1  a\n-    2  b\n+    2  b (no final newline)\n",
		},
		{
			name: "long change cut short",
			want: "x\nz\n",
			got:  strings.Repeat("y\n", 14) + "z\n",
			diff: "-    1  x\n" +
				"+    1  y\n+    2  y\n+    3  y\n+    4  y\n+    5  y\n+    6  y\n" +
				"+    7  y\n+    8  y\n+    9  y\n+   10  y\n+   11  y\n+   12  y\n" +
				"+       … 2 more lines\n    15  z\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := lineDiff([]byte(tc.want), []byte(tc.got)); got != tc.diff {
				t.Errorf("lineDiff(%q, %q) =\n%s\nwant\n%s", tc.want, tc.got, got, tc.diff)
			}
		})
	}
}
