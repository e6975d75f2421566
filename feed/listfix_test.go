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
