package sitemap

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

const base = "http://127.0.0.1:9/news"

// t0 dates the articles of the tests.
var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

// openStore opens a store in a temporary folder with archive pages of
// pageSize articles.
func openStore(t testing.TB, pageSize int) *storage.Store {
	t.Helper()
	s, err := storage.Open(filepath.Join(t.TempDir(), "seedfeed.db"), storage.Options{PageSize: pageSize})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() }) // a close error after the test has no one to tell
	return s
}

// put stores an article at path, published and updated at at.
func put(t testing.TB, s *storage.Store, path, title string, at time.Time, categories ...string) {
	t.Helper()
	putArticle(t, s, path, article.Article{Title: title, Paragraphs: []string{title}, Categories: categories}, at)
}

// putArticle stores a at path, published and updated at at.
func putArticle(t testing.TB, s *storage.Store, path string, a article.Article, at time.Time) {
	t.Helper()
	_, err := s.Put(storage.Item{
		Path: path, Article: a, Published: at, Updated: at,
		File: storage.File{Size: int64(len(a.Title)), ModTime: at, Hash: path + a.Title + a.Lang},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// server serves h's routes on 127.0.0.1 until the test ends.
func server(t testing.TB, h *Handler) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func newHandler(t testing.TB, s *storage.Store, cfg Config) *Handler {
	t.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = base
	}
	if cfg.Title == "" {
		cfg.Title = "أخبار & <آراء>"
	}
	if cfg.Lang == (language.Tag{}) {
		cfg.Lang = language.Arabic
	}
	h, err := New(s, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// get fetches path from srv, plainly, and fails the test on anything but
// 200.
func get(t testing.TB, srv *httptest.Server, path string) (*http.Response, []byte) {
	t.Helper()
	resp, body := fetch(t, srv, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", path, resp.Status, body)
	}
	return resp, body
}

// fetch fetches path from srv, plainly.
func fetch(t testing.TB, srv *httptest.Server, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// gunzip returns the bytes gzip-compressed in b.
func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// missing skips the test, or fails it when SEEDFEED_VALIDATORS=require
// (as .ci/run sets).
func missing(t *testing.T, what string, args ...any) {
	t.Helper()
	if os.Getenv("SEEDFEED_VALIDATORS") == "require" {
		t.Fatalf(what+" and SEEDFEED_VALIDATORS=require", args...)
	}
	t.Skipf(what, args...)
}

// xmllint checks that body is well-formed XML and, when schema is not
// "", valid against that XSD.
func xmllint(t *testing.T, name string, body []byte, schema string) {
	t.Helper()
	prog, err := exec.LookPath("xmllint")
	if err != nil {
		missing(t, "xmllint is not installed")
	}
	file := filepath.Join(t.TempDir(), strings.ReplaceAll(strings.Trim(name, "/"), "/", "_"))
	if err := os.WriteFile(file, body, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--noout", "--nonet"}
	if schema != "" {
		args = append(args, "--schema", schema)
	}
	out, err := exec.Command(prog, append(args, file)...).CombinedOutput()
	if err != nil {
		t.Errorf("xmllint %s %s: %v\n%s\n%s", strings.Join(args, " "), name, err, out, body)
	}
}

// sitemapXSD returns the sitemaps.org schema of a sitemap, which
// SEEDFEED_SITEMAP_XSD names (.ci/run fetches it).
func sitemapXSD(t *testing.T) string {
	t.Helper()
	p := os.Getenv("SEEDFEED_SITEMAP_XSD")
	if p == "" {
		missing(t, "SEEDFEED_SITEMAP_XSD names no sitemap.xsd")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("SEEDFEED_SITEMAP_XSD: %v", err)
	}
	return p
}

// The documents as a test reads them.
type (
	urlsetDoc struct {
		XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
		URLs    []urlDoc `xml:"url"`
	}
	urlDoc struct {
		Loc     string   `xml:"loc"`
		Lastmod string   `xml:"lastmod"`
		News    *newsDoc `xml:"http://www.google.com/schemas/sitemap-news/0.9 news"`
	}
	newsDoc struct {
		Name     string `xml:"publication>name"`
		Language string `xml:"publication>language"`
		Date     string `xml:"publication_date"`
		Title    string `xml:"title"`
	}
	indexDoc struct {
		XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
		Sitemaps []struct {
			Loc     string `xml:"loc"`
			Lastmod string `xml:"lastmod"`
		} `xml:"sitemap"`
	}
)

// decode parses body into v, failing the test if it does not fit.
func decode(t testing.TB, body []byte, v any) {
	t.Helper()
	if err := xml.Unmarshal(body, v); err != nil {
		t.Fatalf("parse %T: %v\n%s", v, err, body)
	}
}
