package feed

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/search"
	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// indexSearcher answers the handler's searches from a real index, as
// the daemon wires it.
type indexSearcher struct{ x *search.Index }

func (s indexSearcher) Search(ctx context.Context, r SearchRequest) (SearchResults, error) {
	order := search.Relevance
	if r.Newest {
		order = search.Newest
	}
	res, err := s.x.Search(ctx, search.Request{Query: r.Query, Order: order, From: r.From, Size: r.Size, Snippets: r.Snippets})
	if errors.Is(err, search.ErrBadQuery) {
		return SearchResults{}, ErrBadQuery
	} else if err != nil {
		return SearchResults{}, err
	}
	out := SearchResults{Total: res.Total}
	for _, h := range res.Hits {
		hit := SearchHit{Key: h.Key, Path: h.Path}
		for _, f := range h.Snippet {
			hit.Snippet = append(hit.Snippet, SearchFragment(f))
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}

// searchHandler returns a handler over a store holding articles, with
// a search index in step with it.
func searchHandler(t *testing.T, articles map[string]article.Article) *Handler {
	t.Helper()
	s, err := storage.Open(filepath.Join(t.TempDir(), "seedfeed.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	at := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	for name, a := range articles {
		at = at.Add(time.Minute)
		it := storage.Item{Path: name, Article: a, Published: at, Updated: at, File: storage.File{Size: 1, ModTime: at, Hash: name}}
		if _, err := s.Put(it); err != nil {
			t.Fatal(err)
		}
	}
	x, err := search.Open(filepath.Join(t.TempDir(), "index"), s, search.Options{Lang: "ar"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- x.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		x.Close()
	})
	seedtest.WaitFor(t, 10*time.Second, "the index to catch up", nil, func() bool {
		return !x.CatchingUp() && x.Count() == uint64(len(articles))
	})
	cfg := Config{BaseURL: "https://news.example", Title: "أخبار", Lang: language.Arabic, Limit: 10, MaxAge: time.Minute, Search: indexSearcher{x}}
	h, err := NewHandler(s, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(t *testing.T, h http.Handler, target string) (*http.Response, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
	body, err := io.ReadAll(w.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return w.Result(), string(body)
}

var searchArticles = map[string]article.Article{
	"school.txt":  {Title: "افتتاح مدرسة جديدة", Paragraphs: []string{"افتتحت الوزارة مدرسة للبنات في الحي."}},
	"book.txt":    {Title: "معرض الكتاب", Paragraphs: []string{"قرأت الكتاب <b>كاملًا</b> & أعجبني."}},
	"english.txt": {Title: "Marathon", Paragraphs: []string{"The runners were running."}, Lang: "en"},
}

// TestSearchPage: the page is in the site's language and direction,
// marks the matching words as written, escapes the text, links the
// search's feeds and the OpenSearch description, and shows an article
// in another language with its own.
func TestSearchPage(t *testing.T) {
	h := searchHandler(t, searchArticles)
	resp, body := get(t, h, "/search?q="+url.QueryEscape("بالكتاب"))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != typeHTML {
		t.Fatalf("GET /search: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<html lang="ar" dir="rtl">`,
		`<mark>الكتاب</mark>`,
		`&lt;b&gt;كاملًا&lt;/b&gt; &amp;`,
		`<a href="https://news.example/articles/book">معرض الكتاب</a>`,
		`<link rel="search" type="application/opensearchdescription+xml" title="أخبار" href="https://news.example/opensearch.xml">`,
		`href="https://news.example/search.atom?q=%D8%A8%D8%A7%D9%84%D9%83%D8%AA%D8%A7%D8%A8"`,
		`value="بالكتاب"`,
		`<meta name="robots" content="noindex">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, "مدرسة") {
		t.Errorf("the page shows an article that does not match:\n%s", body)
	}
	_, body = get(t, h, "/search?q=runs")
	if !strings.Contains(body, `<article lang="en" dir="ltr">`) || !strings.Contains(body, "<mark>running</mark>") {
		t.Errorf("an English result is not marked as English, or running is not marked:\n%s", body)
	}
}

// TestSearchEveryPage: every page names the OpenSearch description when
// there is a search, and none without.
func TestSearchEveryPage(t *testing.T) {
	h := searchHandler(t, searchArticles)
	const link = `<link rel="search" type="application/opensearchdescription+xml" title="أخبار" href="https://news.example/opensearch.xml">`
	for _, p := range []string{"/", "/articles/book", "/search", "/sections/", "/categories/x/"} {
		resp, body := get(t, h, p)
		if resp.StatusCode == 200 && !strings.Contains(body, link) {
			t.Errorf("%s lacks %s", p, link)
		}
	}
	cfg := *h.site.Load()
	cfg.Search = nil
	plain, err := NewHandler(h.src, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, plain, "/"); strings.Contains(body, `rel="search"`) {
		t.Errorf("without a search, the index names one:\n%s", body)
	}
	if resp, _ := get(t, plain, "/search?q=x"); resp.StatusCode != 404 {
		t.Errorf("without a search, /search answers %d", resp.StatusCode)
	}
}

func TestOpenSearch(t *testing.T) {
	h := searchHandler(t, searchArticles)
	resp, body := get(t, h, PathOpenSearch)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/opensearchdescription+xml; charset=utf-8" {
		t.Fatalf("GET %s: %d %s", PathOpenSearch, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var d struct {
		XMLName   xml.Name
		ShortName string
		Language  string
		URLs      []struct {
			Type     string `xml:"type,attr"`
			Template string `xml:"template,attr"`
		} `xml:"Url"`
	}
	if err := xml.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	if d.XMLName.Space != "http://a9.com/-/spec/opensearch/1.1/" || d.ShortName != "أخبار" || d.Language != "ar" {
		t.Errorf("description %+v", d)
	}
	types := map[string]string{}
	for _, u := range d.URLs {
		types[u.Type] = u.Template
	}
	if types["text/html"] != "https://news.example/search?q={searchTerms}" || types["application/atom+xml"] != "https://news.example/search.atom?q={searchTerms}" {
		t.Errorf("templates %v", types)
	}
}

// TestSearchFeeds: each feed holds the matches, newest first, and reads
// in gofeed; its self link is the search's.
func TestSearchFeeds(t *testing.T) {
	h := searchHandler(t, map[string]article.Article{
		"a.txt": {Title: "الكتاب الأول", Paragraphs: []string{"نص."}},
		"b.txt": {Title: "للكتاب قراء", Paragraphs: []string{"نص."}},
		"c.txt": {Title: "مدرسة", Paragraphs: []string{"نص."}},
	})
	for _, f := range []Format{Atom, RSS, JSON} {
		target := "/search." + f.Ext() + "?q=" + url.QueryEscape("كتاب")
		resp, body := get(t, h, target)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ctypes[f] {
			t.Fatalf("GET %s: %d %s", target, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		parsed, err := gofeed.NewParser().ParseString(body)
		if err != nil {
			t.Fatalf("gofeed reads %s: %v", target, err)
		}
		var titles []string
		for _, it := range parsed.Items {
			titles = append(titles, it.Title)
		}
		if fmt.Sprint(titles) != "[الكتاب الأول للكتاب قراء]" && fmt.Sprint(titles) != "[للكتاب قراء الكتاب الأول]" {
			t.Errorf("%s: entries %q", target, titles)
		}
		if !strings.Contains(parsed.Title, "«كتاب»") {
			t.Errorf("%s: title %q", target, parsed.Title)
		}
		// A reader polling its search gets a 304 while the results stay.
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set("If-None-Match", resp.Header.Get("Etag"))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 304 || resp.Header.Get("Etag") == "" {
			t.Errorf("%s with If-None-Match %s: %d", target, resp.Header.Get("Etag"), w.Code)
		}
	}
}

// TestSearchBadInput: every bad request is a clear 400 or 503, never a
// crash nor a hang.
func TestSearchBadInput(t *testing.T) {
	h := searchHandler(t, searchArticles)
	long := url.QueryEscape(strings.Repeat("كتاب ", MaxQuery/5+1))
	for _, tc := range []struct {
		name, target string
		code         int
		say          string
	}{
		{"no query: the form", "/search", 200, "اكتب كلمة"},
		{"empty query", "/search?q=", 400, "اكتب كلمة"},
		{"blank query", "/search?q=%20%09", 400, "اكتب كلمة"},
		{"too long", "/search?q=" + long, 400, "نص البحث أطول من ٢٥٦ حرفًا"},
		{"not UTF-8", "/search?q=%FF%FE", 400, "UTF-8"},
		{"bad page", "/search?q=x&page=0", 400, "رقم الصفحة عدد من ١ إلى ٥٠٠"},
		{"page too deep", "/search?q=x&page=501", 400, "رقم الصفحة عدد من ١ إلى ٥٠٠"},
		{"page not a number", "/search?q=x&page=2a", 400, "رقم الصفحة عدد من ١ إلى ٥٠٠"},
		{"control characters", "/search?q=%0B%00%E2%80%8F", 200, "لا نتائج"},
		{"query syntax", "/search?q=" + url.QueryEscape(`title:كتاب AND +"x" ~2 ^3 *`), 200, "لا نتائج"},
		{"past the results", "/search?q=" + url.QueryEscape("كتاب") + "&page=9", 200, "النتائج: ١، ولا مزيد منها في هذه الصفحة. <a href=\"https://news.example/search?q=%D9%83%D8%AA%D8%A7%D8%A8\">الصفحة الأولى</a>"},
		{"a page links the one before in its head", "/search?q=" + url.QueryEscape("كتاب") + "&page=9", 200, `<link rel="prev" href="https://news.example/search?q=%D9%83%D8%AA%D8%A7%D8%A8&amp;page=8">`},
		{"heading isolates the query", "/search?q=" + url.QueryEscape("كتاب"), 200, "<h1>البحث عن «<bdi>كتاب</bdi>»</h1>"},
		{"feed without query", "/search.atom", 400, "no query"},
		{"feed with empty query", "/search.rss?q=", 400, "no query"},
		{"feed too long", "/search.json?q=" + long, 400, "longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, h, tc.target)
			if resp.StatusCode != tc.code || !strings.Contains(body, tc.say) {
				t.Errorf("GET %.60s = %d, want %d saying %q:\n%.400s", tc.target, resp.StatusCode, tc.code, tc.say, body)
			}
		})
	}
}

// TestSearchFlood: once maxSearches run, the next is answered 503 at
// once; a search whose client went away ends.
func TestSearchFlood(t *testing.T) {
	h := searchHandler(t, searchArticles)
	for range maxSearches {
		h.searches <- struct{}{}
	}
	resp, _ := get(t, h, "/search?q=x")
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a search past the limit: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	for range maxSearches {
		<-h.searches
	}
	if resp, _ := get(t, h, "/search?q=x"); resp.StatusCode != 200 {
		t.Errorf("a search once the others ended: %d", resp.StatusCode)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequestWithContext(ctx, "GET", "/search.atom?q=x", nil))
	if w.Code != 503 {
		t.Errorf("a search whose context ended: %d", w.Code)
	}
}

// TestSearchPaging: pages of results link each other, and together show
// each match once.
func TestSearchPaging(t *testing.T) {
	articles := map[string]article.Article{}
	for i := range searchPageSize + 5 {
		articles[fmt.Sprintf("%02d.txt", i)] = article.Article{Title: fmt.Sprintf("مدرسة رقم %d", i), Paragraphs: []string{"نص."}}
	}
	h := searchHandler(t, articles)
	seen := map[string]int{}
	next := "/search?q=" + url.QueryEscape("المدرسة")
	for n := 1; next != ""; n++ {
		_, body := get(t, h, strings.TrimPrefix(next, "https://news.example"))
		seen["pages"]++
		for _, line := range strings.Split(body, "\n") {
			if strings.HasPrefix(line, "<h2><a href=") {
				seen[line]++
			}
		}
		next = ""
		if i := strings.Index(body, `<link rel="next" href="`); i >= 0 {
			rest := body[i+len(`<link rel="next" href="`):]
			next = strings.ReplaceAll(rest[:strings.IndexByte(rest, '"')], "&amp;", "&")
		}
		if n > 3 {
			t.Fatal("more pages than results")
		}
	}
	if seen["pages"] != 2 || len(seen) != len(articles)+1 {
		t.Errorf("%d pages, %d distinct results, want 2 and %d", seen["pages"], len(seen)-1, len(articles))
	}
	for k, n := range seen {
		if k != "pages" && n != 1 {
			t.Errorf("%s shown %d times", k, n)
		}
	}
}
