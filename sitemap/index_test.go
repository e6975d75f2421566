package sitemap

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// tally is a store that counts the main list's archive pages read.
type tally struct {
	*storage.Store
	mu    sync.Mutex
	pages []int
}

func (s *tally) ArchiveHeads(l storage.List, n int) (storage.Page, error) {
	s.mu.Lock()
	s.pages = append(s.pages, n)
	s.mu.Unlock()
	return s.Store.ArchiveHeads(l, n)
}

// read returns the pages read since the last call.
func (s *tally) read() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pages
	s.pages = nil
	return p
}

// TestIndex: past MaxURLs, /sitemap.xml is an index of sitemaps of
// archive pages; a new article changes the last one only, an edit only
// the one holding it, and neither reads the other pages again.
func TestIndex(t *testing.T) {
	st := openStore(t, 2)
	src := &tally{Store: st}
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Hour) }
	path := func(i int) string { return fmt.Sprintf("مقالات/مقال-%02d.md", i) }
	for i := 1; i <= 4; i++ {
		put(t, st, path(i), fmt.Sprintf("المقال %d", i), at(i))
	}
	// Pages of 2, sitemaps of 6 URLs: 3 pages each. Home, one section
	// and 4 articles fit in one.
	h, err := New(src, Config{BaseURL: base, Title: "أخبار", MaxURLs: 6}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := server(t, h)
	_, body := get(t, srv, PathSitemap)
	if !bytes.Contains(body, []byte("<urlset")) {
		t.Fatalf("6 URLs: not one sitemap:\n%s", body)
	}

	put(t, st, path(5), "المقال 5", at(5)) // 7 URLs
	waitFor(t, srv, PathSitemap, "<sitemapindex")
	first := checkIndex(t, srv, []string{"lists-1.xml", "1.xml"})
	if n := strings.Count(string(first["1.xml"]), "<url>"); n != 5 {
		t.Errorf("1.xml holds %d URLs, want 5", n)
	}
	for i := 6; i <= 7; i++ {
		put(t, st, path(i), fmt.Sprintf("المقال %d", i), at(i))
	}
	waitFor(t, srv, PathParts+"2.xml", "%D9%85%D9%82%D8%A7%D9%84-07")
	parts := checkIndex(t, srv, []string{"lists-1.xml", "1.xml", "2.xml"})
	src.read()

	// A new article opens page 4: the last sitemap only.
	put(t, st, path(8), "المقال 8", at(8))
	waitFor(t, srv, PathParts+"2.xml", "%D9%85%D9%82%D8%A7%D9%84-08")
	if read := src.read(); !slices.Contains(read, 4) || slices.ContainsFunc(read, func(n int) bool { return n <= 3 }) {
		t.Errorf("a new article on page 4 read pages %v", read)
	}
	after := checkIndex(t, srv, []string{"lists-1.xml", "1.xml", "2.xml"})
	if !bytes.Equal(after["1.xml"], parts["1.xml"]) {
		t.Errorf("1.xml changed with a new article:\n%s\n%s", parts["1.xml"], after["1.xml"])
	}

	// An edit of the first article: the first sitemap only.
	put(t, st, path(1), "المقال 1 مُعدَّل", at(20))
	waitFor(t, srv, PathParts+"1.xml", at(20).UTC().Format(time.RFC3339))
	if read := src.read(); !slices.Contains(read, 1) || slices.ContainsFunc(read, func(n int) bool { return n > 3 }) {
		t.Errorf("an edit on page 1 read pages %v", read)
	}
	edited := checkIndex(t, srv, []string{"lists-1.xml", "1.xml", "2.xml"})
	if !bytes.Equal(edited["2.xml"], after["2.xml"]) {
		t.Errorf("2.xml changed with an edit of page 1")
	}

	// Removing every article of the second sitemap leaves it out.
	if _, err := st.Remove(path(7), path(8)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, srv, PathSitemap, "no 2.xml", func(b []byte) bool { return !bytes.Contains(b, []byte("2.xml")) })
	checkIndex(t, srv, []string{"lists-1.xml", "1.xml"})
	if code := status(t, srv, PathParts+"2.xml", "Accept", "*/*"); code != http.StatusNotFound {
		t.Errorf("GET 2.xml without articles: %d, want 404", code)
	}
	if _, err := st.Remove(path(5), path(6)); err != nil {
		t.Fatal(err)
	}
	// 4 articles and 2 lists again: one sitemap.
	waitFor(t, srv, PathSitemap, "<urlset")
	if code := status(t, srv, PathParts+"1.xml", "Accept", "*/*"); code != http.StatusNotFound {
		t.Errorf("GET 1.xml without an index: %d, want 404", code)
	}
}

// waitFor waits until GET path holds want.
func waitFor(t *testing.T, srv *httptest.Server, path, want string) {
	t.Helper()
	waitUntil(t, srv, path, "to hold "+want, func(b []byte) bool { return bytes.Contains(b, []byte(want)) })
}

// waitUntil waits until the body of GET path is ok.
func waitUntil(t *testing.T, srv *httptest.Server, path, what string, ok func([]byte) bool) {
	t.Helper()
	var last []byte
	seedtest.WaitFor(t, 5*time.Second, path+" "+what, stringer(func() string { return string(last) }), func() bool {
		resp, body := fetch(t, srv, path)
		last = body
		return resp.StatusCode == http.StatusOK && ok(body)
	})
}

type stringer func() string

func (f stringer) String() string { return f() }

// checkIndex checks that /sitemap.xml is an index of the sitemaps names,
// in order, each valid and served, each with the newest lastmod of its
// URLs, and returns them by name.
func checkIndex(t *testing.T, srv *httptest.Server, names []string) map[string][]byte {
	t.Helper()
	_, body := get(t, srv, PathSitemap)
	xmllint(t, "index.xml", body, "")
	var idx indexDoc
	decode(t, body, &idx)
	parts := map[string][]byte{}
	var locs []string
	for _, sm := range idx.Sitemaps {
		locs = append(locs, sm.Loc)
		name, ok := strings.CutPrefix(sm.Loc, base+PathParts)
		if !ok {
			t.Errorf("index names %s", sm.Loc)
			continue
		}
		_, part := get(t, srv, PathParts+name)
		xmllint(t, name, part, sitemapXSD(t))
		var doc urlsetDoc
		decode(t, part, &doc)
		newest := ""
		for _, u := range doc.URLs {
			newest = max(newest, u.Lastmod) // one zone, one layout: they sort as times
		}
		if sm.Lastmod != newest || len(doc.URLs) == 0 {
			t.Errorf("index: lastmod of %s = %q, its newest is %q (%d URLs)", name, sm.Lastmod, newest, len(doc.URLs))
		}
		parts[name] = part
	}
	var want []string
	for _, n := range names {
		want = append(want, base+PathParts+n)
	}
	if !slices.Equal(locs, want) {
		t.Errorf("index names %v, want %v\n%s", locs, want, body)
	}
	return parts
}
