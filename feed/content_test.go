package feed

import (
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

func TestMediaURL(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"a.jpg", "https://news.example.com/media/a.jpg"},
		{"صور/خريطة (1).png", "https://news.example.com/media/%D8%B5%D9%88%D8%B1/%D8%AE%D8%B1%D9%8A%D8%B7%D8%A9%20%281%29.png"},
		{"2024/100%?#.webp", "https://news.example.com/media/2024/100%25%3F%23.webp"},
	} {
		if got := MediaURL(testConfig.BaseURL, tc.path); got != tc.want {
			t.Errorf("MediaURL(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestResolveLocal(t *testing.T) {
	const base = "https://news.example.com"
	// A link to a Markdown article goes to its page once article.Is
	// knows .md files; until then it is a file like any other.
	md := base + "/media/desk/other.md"
	if article.Is("other.md") {
		md = base + "/articles/desk/other"
	}
	for _, tc := range []struct{ name, body, want string }{
		{"nothing local", `<p>a &amp; <a href="https://x.example/">b</a></p>`, `<p>a &amp; <a href="https://x.example/">b</a></p>`},
		{"article", `<a href="seedfeed:%D8%A3/%D8%A8%20%281%29.txt">ب</a>`, `<a href="` + base + `/articles/%D8%A3/%D8%A8%20%281%29">ب</a>`},
		{"article, fragment", `<a href="seedfeed:a/b.TXT#part">b</a>`, `<a href="` + base + `/articles/a/b#part">b</a>`},
		{"markdown article", `<a href="seedfeed:desk/other.md">o</a>`, `<a href="` + md + `">o</a>`},
		{"image", `<img src="seedfeed:%D8%B5%D9%88%D8%B1/x%20y.jpg" alt="ص &#34;س&#34;">`, `<img src="` + base + `/media/%D8%B5%D9%88%D8%B1/x%20y.jpg" alt="ص &#34;س&#34;">`},
		{"self-closing", `<img src="seedfeed:x.png"/>`, `<img src="` + base + `/media/x.png"/>`},
		{"stray percent", `<img src="seedfeed:100%.png">`, `<img src="` + base + `/media/100%25.png">`},
		{"text untouched", `<p>seedfeed:x.txt &#34;seedfeed:y.png&#34;</p><code>href="seedfeed:z.txt"</code>`, `<p>seedfeed:x.txt &#34;seedfeed:y.png&#34;</p><code>href="seedfeed:z.txt"</code>`},
		{"other attribute untouched", `<abbr title="seedfeed:x.txt">x</abbr>`, `<abbr title="seedfeed:x.txt">x</abbr>`},
		{"unfinished tag kept", `<p>ب</p>seedfeed:<a href="seedfeed:x`, `<p>ب</p>seedfeed:<a href="seedfeed:x`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := resolveLocal(tc.body, base); got != tc.want {
				t.Errorf("resolveLocal(%q) =\n%q, want\n%q", tc.body, got, tc.want)
			}
		})
	}
}

func TestParagraphDir(t *testing.T) {
	for _, tc := range []struct{ text, dir, want string }{
		{"مرحبا بالعالم", "rtl", ""},
		{"Hello, world.", "rtl", "ltr"},
		{"The minister said «شكرا» twice", "rtl", "ltr"},
		{"Reuters: قالت الوزارة إن الاجتماع سيعقد غدا", "ltr", "rtl"},
		{"Reuters: قالت الوزارة إن الاجتماع سيعقد غدا", "rtl", ""},
		// An Arabic sentence quoting code, about even: the article's.
		{"الفقرة الأولى: ٢٠٪ من <script>alert(1)</script> ، ؛ ؟", "rtl", ""},
		{"2024 — 15%", "rtl", ""},
		{"2024 — 15%", "ltr", ""},
		{"", "ltr", ""},
	} {
		if got := paragraphDir(tc.text, tc.dir); got != tc.want {
			t.Errorf("paragraphDir(%q, %q) = %q, want %q", tc.text, tc.dir, got, tc.want)
		}
	}
}

// TestParagraphInOtherScript: a plain-text paragraph in another script
// than the article's keeps its own direction, in every format and on the
// page; the others stay bare <p>, as before.
func TestParagraphInOtherScript(t *testing.T) {
	it := storage.Item{
		Key: "mixed", Path: "mixed.txt",
		Article:   article.Article{Title: "مقال", Paragraphs: []string{"فقرة عربية", "An English paragraph."}},
		Published: t0, Updated: t0,
	}
	// The three feeds share one content: RSS shows it unescaped.
	out := renderAll(t, []storage.Item{it}, testConfig)
	if want := `<div dir="rtl" lang="ar"><p>فقرة عربية</p><p dir="ltr">An English paragraph.</p></div>`; !strings.Contains(string(out["rss"]), want) {
		t.Errorf("rss does not contain %s", want)
	}
	if want := `<p>فقرة عربية</p>` + "\n" + `<p dir="ltr">An English paragraph.</p>`; !strings.Contains(string(out["article.html"]), want) {
		t.Errorf("the page does not contain %s", want)
	}
	cfg := testConfig
	cfg.Lang = language.English
	out = renderAll(t, []storage.Item{it}, cfg)
	if want := `<div dir="ltr" lang="en"><p dir="rtl">فقرة عربية</p><p>An English paragraph.</p></div>`; !strings.Contains(string(out["rss"]), want) {
		t.Errorf("English site: rss does not contain %s", want)
	}
}

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		a    article.Article
		want string
	}{
		{article.Article{Paragraphs: []string{"أولى", "ثانية"}}, "أولى"},
		{article.Article{Paragraphs: []string{"أولى"}, Summary: "ملخص"}, "ملخص"},
		{article.Article{}, ""},
	} {
		if got := summary(storage.Item{Article: tc.a}); got != tc.want {
			t.Errorf("summary(%+v) = %q, want %q", tc.a, got, tc.want)
		}
	}
}

// TestEntryLanguage: an article's own language, when it is not the
// site's, is declared on its entry; a tag equal to the site's, or one
// that does not parse, leaves the site's.
func TestEntryLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang, want, dir string
		other           bool
	}{
		{"", "ar", "rtl", false},
		{"ar", "ar", "rtl", false},
		{"en-GB", "en-GB", "ltr", true},
		{"fa", "fa", "rtl", true},
		{"not a tag", "ar", "rtl", false},
	} {
		e := newEntry(storage.Item{Article: article.Article{Lang: tc.lang}}, testConfig)
		if e.lang != tc.want || e.dir != tc.dir || e.otherLang != tc.other {
			t.Errorf("newEntry(Lang %q) = %q %q %v, want %q %q %v", tc.lang, e.lang, e.dir, e.otherLang, tc.want, tc.dir, tc.other)
		}
	}
}
