package sitemap

import (
	"bytes"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/storage"
)

// TestNews: the articles of the last two days only, newest first, each
// with its publication, language, date and title, Arabic as written.
func TestNews(t *testing.T) {
	now := t0.Add(100 * time.Hour)
	s := openStore(t, 0)
	title := `القمة & <الأولى> "نص"`
	put(t, s, "قديم.md", "قديم", now.Add(-49*time.Hour))
	put(t, s, "أخبار/قمة.md", title, now.Add(-47*time.Hour))
	putArticle(t, s, "zh/新闻.md", article.Article{Title: "新闻", Paragraphs: []string{"x"}, Lang: "zh-TW"}, now.Add(-2*time.Hour))
	putArticle(t, s, "en/news.md", article.Article{Title: "News", Paragraphs: []string{"x"}, Lang: "en-US"}, now.Add(-time.Hour))
	srv := server(t, newHandler(t, s, Config{Now: func() time.Time { return now }}))

	resp, body := get(t, srv, PathNews)
	if ct := resp.Header.Get("Content-Type"); ct != "application/xml; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	xmllint(t, "news.xml", body, "")
	var doc urlsetDoc
	decode(t, body, &doc)
	items, err := s.Newest(3)
	if err != nil {
		t.Fatal(err)
	}
	want := []newsDoc{
		{"أخبار & <آراء>", "en", now.Add(-time.Hour).Format(time.RFC3339), "News"},
		{"أخبار & <آراء>", "zh-tw", now.Add(-2 * time.Hour).Format(time.RFC3339), "新闻"},
		{"أخبار & <آراء>", "ar", now.Add(-47 * time.Hour).Format(time.RFC3339), title},
	}
	if len(doc.URLs) != len(want) {
		t.Fatalf("%d URLs, want %d:\n%s", len(doc.URLs), len(want), body)
	}
	for i, u := range doc.URLs {
		if u.News == nil || *u.News != want[i] || u.Loc != feed.ArticleURL(base, items[i]) {
			t.Errorf("URL %d = %s %+v, want %s %+v", i, u.Loc, u.News, feed.ArticleURL(base, items[i]), want[i])
		}
	}
	for _, raw := range []string{`<news:title>القمة &amp; &lt;الأولى&gt; "نص"</news:title>`, `<news:name>أخبار &amp; &lt;آراء&gt;</news:name>`,
		`xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"`} {
		if !bytes.Contains(body, []byte(raw)) {
			t.Errorf("no %s in\n%s", raw, body)
		}
	}
	checkHTTP(t, srv, PathNews, body)
}

// TestNewsAgesOut: a request renders the news sitemap again once its oldest
// article turns two days old, with no change to the store.
func TestNewsAgesOut(t *testing.T) {
	s := openStore(t, 0)
	put(t, s, "خبر.md", "خبر", t0)
	put(t, s, "آخر.md", "آخر", t0.Add(time.Hour))
	// A clock that reaches the first article's two days 300 ms from now.
	start, offset := time.Now(), t0.Add(NewsAge-300*time.Millisecond)
	clock := func() time.Time { return offset.Add(time.Since(start)) }
	h := newHandler(t, s, Config{Now: clock})
	srv := server(t, h)
	_, before := get(t, srv, PathNews)
	old, err := s.Newest(2)
	if err != nil {
		t.Fatal(err)
	}
	loc := []byte(feed.ArticleURL(base, old[1]))
	if !bytes.Contains(before, loc) {
		t.Fatalf("%s not in\n%s", loc, before)
	}
	waitUntil(t, srv, PathNews, "without the article two days old", func(b []byte) bool { return !bytes.Contains(b, loc) })
	_, after := get(t, srv, PathNews)
	if !bytes.Contains(after, []byte(feed.ArticleURL(base, old[0]))) {
		t.Errorf("the newer article left too:\n%s", after)
	}
}

// TestNewsLang: Google News wants ISO 639 codes, and zh-cn or zh-tw.
func TestNewsLang(t *testing.T) {
	for _, c := range []struct{ name, lang, want string }{
		{"site", "", "ar"},
		{"arabic", "ar", "ar"},
		{"egyptian", "ar-EG", "ar"},
		{"english", "en-US", "en"},
		{"filipino", "fil", "fil"},
		{"taiwan", "zh-TW", "zh-tw"},
		{"hong kong", "zh-HK", "zh-tw"},
		{"traditional", "zh-Hant", "zh-tw"},
		{"simplified", "zh-Hans-CN", "zh-cn"},
		{"chinese", "zh", "zh-cn"},
		{"malformed", "x@y", "ar"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := newsLang(c.lang, language.Arabic); got != c.want {
				t.Errorf("newsLang(%q) = %q, want %q", c.lang, got, c.want)
			}
		})
	}
}

// TestRobots: robots.txt allows everything and names both sitemaps.
func TestRobots(t *testing.T) {
	srv := server(t, newHandler(t, openStore(t, 0), Config{}))
	resp, body := get(t, srv, PathRobots)
	want := "User-agent: *\nAllow: /\n\nSitemap: " + base + "/sitemap.xml\nSitemap: " + base + "/sitemap-news.xml\n"
	if string(body) != want || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("robots.txt = %s %q, want %q", resp.Header.Get("Content-Type"), body, want)
	}
	// An empty store still has a valid sitemap: the home page.
	_, sm := get(t, srv, PathSitemap)
	xmllint(t, "empty.xml", sm, sitemapXSD(t))
}

// TestNewsName: the publication is named by the seeds folder's _index.md
// title, as the feeds are, unless the title was set by a flag; a change
// of it reaches the news sitemap at the next request.
func TestNewsName(t *testing.T) {
	now := t0.Add(100 * time.Hour)
	s := openStore(t, 0)
	put(t, s, "خبر.md", "خبر", now.Add(-time.Hour))
	name := func(srv *httptest.Server) string {
		_, body := get(t, srv, PathNews)
		var doc urlsetDoc
		decode(t, body, &doc)
		if len(doc.URLs) != 1 || doc.URLs[0].News == nil {
			t.Fatalf("news sitemap:\n%s", body)
		}
		return doc.URLs[0].News.Name
	}
	byDefault := server(t, newHandler(t, s, Config{Now: func() time.Time { return now }}))
	fixed := server(t, newHandler(t, s, Config{Now: func() time.Time { return now }, TitleFixed: true}))
	if got := name(byDefault); got != "أخبار & <آراء>" {
		t.Errorf("without an _index.md: %q", got)
	}
	if err := s.PutSection(storage.SectionMeta{Title: "جريدة الصباح"}); err != nil {
		t.Fatal(err)
	}
	if got := name(byDefault); got != "جريدة الصباح" {
		t.Errorf("with the root _index.md: %q, want its title", got)
	}
	if got := name(fixed); got != "أخبار & <آراء>" {
		t.Errorf("with -title given: %q, want the flag's", got)
	}
}
