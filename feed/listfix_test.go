package feed

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// nextPage is the rel="next" link of an HTML list page.
var nextPage = regexp.MustCompile(`<link rel="next" href="([^"]+)">`)

// followNext follows rel="next" from the page at start and returns every
// page's body, joined.
func (s *listSite) followNext(t *testing.T, start string) string {
	t.Helper()
	var all strings.Builder
	for u, i := start, 0; u != ""; i++ {
		if i > 50 {
			t.Fatalf("the pages from %s do not end", start)
		}
		resp, body := s.get(t, u)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", u, resp.Status)
		}
		all.Write(body)
		u = ""
		if m := nextPage.FindSubmatch(body); m != nil {
			u = strings.ReplaceAll(string(m[1]), "&amp;", "&")
		}
	}
	return all.String()
}

// TestPageFolderShadowsNot: a folder "رياضة/page/2" does not hide page 2
// of رياضة: following rel="next" from رياضة reaches each of its
// articles, the folder's too; the folder's feeds and archives still
// answer at their paths.
func TestPageFolderShadowsNot(t *testing.T) {
	s := newListSite(t, 20) // رياضة: 8 articles, pages of 2
	folder := storage.List{Kind: storage.Section, Name: "رياضة/page/2"}
	for i := range 4 {
		at := t0.Add(time.Duration(i) * time.Minute)
		it := storage.Item{
			Path:      fmt.Sprintf("رياضة/page/2/خاص %d.txt", i),
			Article:   article.Article{Title: fmt.Sprintf("خاص %d", i), Paragraphs: []string{"نص"}},
			Published: at, Updated: at, File: storage.File{Size: 1, ModTime: at, Hash: fmt.Sprint("خاص", i)},
		}
		if _, err := s.store.Put(it); err != nil {
			t.Fatal(err)
		}
		it.Key = strings.TrimSuffix(it.Path, ".txt")
		s.extra = append(s.extra, it)
	}
	s.settle(t)
	pages := s.followNext(t, ListURL(s.base, sport))
	want := s.ids(sport)
	if len(want) != 12 {
		t.Fatalf("رياضة has %d articles, want 12", len(want))
	}
	for _, id := range want {
		if !strings.Contains(pages, `href="`+id+`"`) {
			t.Errorf("following rel=next from %s does not reach %s", ListURL(s.base, sport), id)
		}
	}
	_, body := s.get(t, ListURL(s.base, folder))
	if !strings.Contains(string(body), `<link rel="canonical" href="`+ListPageURL(s.base, sport, 2)+`">`) {
		t.Errorf("%s is not page 2 of رياضة:\n%s", ListURL(s.base, folder), body)
	}
	for _, u := range []string{ListFeedURL(s.base, folder, Atom), ArchiveURL(s.base, folder, 1, JSON)} {
		if resp, _ := s.get(t, u); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s, want 200", u, resp.Status)
		}
	}
	// A page that neither رياضة nor a folder has is not found.
	if resp, body := s.get(t, ListURL(s.base, storage.List{Kind: storage.Section, Name: "رياضة/page/7"})); resp.StatusCode != http.StatusNotFound {
		t.Errorf("page 7 of رياضة (6 pages): %s\n%s", resp.Status, body)
	}
}

// TestDotCategories: a category "." or ".." (all dots) has URLs that are
// no dot segments, and the router takes them back to the category.
func TestDotCategories(t *testing.T) {
	s := newListSite(t, 3)
	at := t0.Add(time.Hour)
	it := storage.Item{
		Path:      "نقاط.txt",
		Article:   article.Article{Title: "نقاط", Paragraphs: []string{"نص"}, Categories: []string{".", "..", "...", "a.b"}},
		Published: at, Updated: at, File: storage.File{Size: 1, ModTime: at, Hash: "نقاط"},
	}
	if _, err := s.store.Put(it); err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	_, page := s.get(t, s.base+PathArticles+escapePath("نقاط"))
	for _, term := range []string{".", "..", "...", "a.b"} {
		l := storage.List{Kind: storage.Category, Name: term}
		u := ListURL(s.base, l)
		if strings.Contains(u, "/./") || strings.Contains(u, "/../") {
			t.Errorf("category %q: URL %s has a dot segment", term, u)
		}
		if !strings.Contains(string(page), `href="`+u+`"`) {
			t.Errorf("the article's page does not link to %s", u)
		}
		resp, body := s.get(t, u)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `<link rel="canonical" href="`+u+`">`) {
			t.Errorf("GET %s: %s, want the page of %q:\n%s", u, resp.Status, term, body)
		}
		if resp, _ := s.get(t, ListFeedURL(s.base, l, Atom)); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", ListFeedURL(s.base, l, Atom), resp.Status)
		}
	}
}

// TestListTitleOnce: a list's page is titled, and names its feeds, with
// the list's own title once, as its feeds are; the site's name is not
// repeated.
func TestListTitleOnce(t *testing.T) {
	s := newListSite(t, 6)
	for _, l := range []storage.List{sport, politics} {
		_, feedBody := s.get(t, ListFeedURL(s.base, l, Atom))
		title := atomTitle.FindStringSubmatch(string(feedBody))
		if title == nil {
			t.Fatalf("%s has no title:\n%s", l.Name, feedBody)
		}
		_, page := s.get(t, ListURL(s.base, l))
		for _, want := range []string{"<title>" + title[1] + "</title>", `title="` + title[1] + ` (Atom)"`} {
			if !strings.Contains(string(page), want) {
				t.Errorf("%s: the page has no %s", l.Name, want)
			}
		}
		if strings.Contains(string(page), title[1]+" · "+testConfig.Title) {
			t.Errorf("%s: the site's name repeated after the list's title:\n%s", l.Name, page)
		}
	}
}

// atomTitle is an Atom feed's title.
var atomTitle = regexp.MustCompile(`<feed[^>]*>\s*<title>([^<]+)</title>`)

// TestCategoryRedirect: a category named as written, not as its term,
// is redirected to the term's URL, the rest of the path kept.
func TestCategoryRedirect(t *testing.T) {
	s := newListSite(t, 20)
	up := storage.List{Kind: storage.Category, Name: "A/B"} // slashed's term is "a/b"
	for _, c := range []struct{ from, to string }{
		{ListURL(s.base, up), ListURL(s.base, slashed)},
		{ListFeedURL(s.base, up, RSS), ListFeedURL(s.base, slashed, RSS)},
		{ListPageURL(s.base, up, 2), ListPageURL(s.base, slashed, 2)},
		{ArchiveURL(s.base, up, 1, JSON), ArchiveURL(s.base, slashed, 1, JSON)},
	} {
		req, err := http.NewRequest(http.MethodGet, c.from, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != c.to {
			t.Errorf("GET %s: %s to %q, want 301 to %s", c.from, resp.Status, resp.Header.Get("Location"), c.to)
		}
		if resp, _ := s.get(t, c.to); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", c.to, resp.Status)
		}
	}
	if resp, _ := s.get(t, ListURL(s.base, up)+"nothing"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET %snothing: %s, want 404", ListURL(s.base, up), resp.Status)
	}
}

// TestEmptiedList: a category every article left asks search engines not
// to index its page; its feeds still answer, valid and empty.
func TestEmptiedList(t *testing.T) {
	s := newListSite(t, 3)
	alone := storage.List{Kind: storage.Category, Name: "وحيد"}
	at := t0.Add(time.Hour)
	it := storage.Item{
		Path:      "وحيد.txt",
		Article:   article.Article{Title: "وحيد", Paragraphs: []string{"نص"}, Categories: []string{"وحيد"}},
		Published: at, Updated: at, File: storage.File{Size: 1, ModTime: at, Hash: "وحيد"},
	}
	if _, err := s.store.Put(it); err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	const noindex = `<meta name="robots" content="noindex">`
	if _, page := s.get(t, ListURL(s.base, alone)); strings.Contains(string(page), noindex) {
		t.Errorf("a list with an article is not indexed:\n%s", page)
	}
	if _, page := s.get(t, s.base+"/"); strings.Contains(string(page), noindex) {
		t.Errorf("the index is not indexed:\n%s", page)
	}
	if _, err := s.store.Remove(it.Path); err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	resp, page := s.get(t, ListURL(s.base, alone))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), noindex) {
		t.Errorf("GET %s, emptied: %s, want 200 with %s:\n%s", ListURL(s.base, alone), resp.Status, noindex, page)
	}
	for _, f := range []Format{Atom, RSS, JSON} {
		resp, body := s.get(t, ListFeedURL(s.base, alone, f))
		if h := historyOf(f)(t, body); resp.StatusCode != http.StatusOK || len(h.ids) != 0 {
			t.Errorf("GET %s, emptied: %s, %d entries, want 200 and none", ListFeedURL(s.base, alone, f), resp.Status, len(h.ids))
		}
	}
}
