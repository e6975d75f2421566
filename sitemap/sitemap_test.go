package sitemap

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/storage"
)

// TestSitemap: one sitemap of the home, every section and category page
// and every article, with their lastmod, percent-encoded, valid against
// the sitemaps.org schema, served as the feeds are.
func TestSitemap(t *testing.T) {
	s := openStore(t, 0)
	put(t, s, "رياضة/كرة/مباراة.md", "المباراة", t0, "كرة القدم")
	put(t, s, "سياسة/قمة.md", "القمة & <الأولى>", t0.Add(time.Hour), "Politics", "كرة القدم")
	put(t, s, "note.txt", "ملاحظة", t0.Add(2*time.Hour))
	srv := server(t, newHandler(t, s, Config{}))

	resp, body := get(t, srv, PathSitemap)
	if ct := resp.Header.Get("Content-Type"); ct != "application/xml; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	xmllint(t, "sitemap.xml", body, sitemapXSD(t))
	var doc urlsetDoc
	decode(t, body, &doc)
	got := map[string]string{}
	for _, u := range doc.URLs {
		got[u.Loc] = u.Lastmod
		if !utf8.ValidString(u.Loc) || strings.ContainsFunc(u.Loc, func(r rune) bool { return r > 0x7e }) {
			t.Errorf("loc %q is not percent-encoded ASCII", u.Loc)
		}
	}
	want := map[string]string{}
	items, err := s.Newest(10)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		want[feed.ArticleURL(base, it)] = it.Updated.UTC().Format(time.RFC3339)
	}
	for _, k := range []storage.Kind{storage.Main, storage.Section, storage.Category} {
		infos, err := s.Lists(k)
		if err != nil {
			t.Fatal(err)
		}
		if k == storage.Main {
			info, err := s.Info(storage.List{})
			if err != nil {
				t.Fatal(err)
			}
			infos = []storage.ListInfo{info}
		}
		for _, info := range infos {
			want[feed.ListURL(base, info.List)] = info.Changed.UTC().Format(time.RFC3339)
		}
	}
	if len(want) != 3+1+3+2 { // articles, home, sections, categories
		t.Fatalf("want %d URLs: %v", len(want), want)
	}
	for loc, lastmod := range want {
		if got[loc] != lastmod {
			t.Errorf("lastmod of %s = %q, want %q", loc, got[loc], lastmod)
		}
	}
	if len(got) != len(want) || len(doc.URLs) != len(want) {
		t.Errorf("got %d URLs, want %d:\n%s", len(doc.URLs), len(want), body)
	}
	if !bytes.Contains(body, []byte("/sections/%D8%B1%D9%8A%D8%A7%D8%B6%D8%A9/%D9%83%D8%B1%D8%A9/")) {
		t.Errorf("no percent-encoded Arabic section path:\n%s", body)
	}
	checkHTTP(t, srv, PathSitemap, body)
}

// checkHTTP checks what the feeds' documents do: a strong ETag and
// Last-Modified, 304 to If-None-Match and If-Modified-Since, and gzip of
// the same bytes.
func checkHTTP(t *testing.T, srv *httptest.Server, path string, plain []byte) {
	t.Helper()
	resp, _ := get(t, srv, path)
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if !strings.HasPrefix(etag, `"`) || lm == "" {
		t.Errorf("GET %s: ETag %q, Last-Modified %q", path, etag, lm)
	}
	for _, h := range [][2]string{{"If-None-Match", etag}, {"If-Modified-Since", lm}} {
		if code := status(t, srv, path, h[0], h[1]); code != http.StatusNotModified {
			t.Errorf("GET %s with %s: %d, want 304", path, h[0], code)
		}
	}
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err = srv.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	z, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(gunzip(t, z), plain) {
		t.Errorf("GET %s gzip: Content-Encoding %q, not the same bytes", path, resp.Header.Get("Content-Encoding"))
	}
}

// status returns the status of a GET of path with one request header.
func status(t *testing.T, srv *httptest.Server, path, key, value string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(key, value)
	req.Header.Set("Accept-Encoding", "identity") // the plain representation's ETag
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
