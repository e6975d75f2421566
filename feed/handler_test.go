package feed

import (
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// serve stores items in a real database and serves it from a real HTTP
// server on 127.0.0.1 until the test ends.
func serve(t *testing.T, items []storage.Item) (*storage.Store, *httptest.Server) {
	t.Helper()
	store, err := storage.Open(filepath.Join(t.TempDir(), "test.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if len(items) > 0 {
		if _, err := store.Put(items...); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewUnstartedServer(nil)
	cfg := testConfig
	cfg.BaseURL = "http://" + srv.Listener.Addr().String()
	h, err := NewHandler(store, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
	})
	return store, srv
}

// storedItems are testItems as the store keeps them: the store assigns
// keys from paths, so the renamed one is not among them.
func storedItems() []storage.Item {
	var items []storage.Item
	for _, it := range testItems() {
		if it.Key == strings.TrimSuffix(it.Path, ".txt") {
			it.File = storage.File{Size: 1, ModTime: it.Updated, Hash: it.Title}
			items = append(items, it)
		}
	}
	return items
}

func do(t *testing.T, method, u string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
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

func TestHandlerRoutes(t *testing.T) {
	items := storedItems()
	_, srv := serve(t, items)
	article := srv.URL + PathArticles + escapePath(items[0].Slug())
	for _, tc := range []struct {
		name, method, path string
		status             int
		ctype              string
		contains           string
	}{
		{"atom", "GET", PathAtom, 200, TypeAtom, `<feed xml:lang="ar"`},
		{"rss", "GET", PathRSS, 200, TypeRSS, `<language>ar</language>`},
		{"json", "GET", PathJSON, 200, TypeJSON, `"language": "ar"`},
		{"index", "GET", "/", 200, TypeHTML, `<html lang="ar" dir="rtl">`},
		{"index query", "GET", "/?utm_source=x", 200, TypeHTML, `rel="alternate" type="application/atom+xml"`},
		{"article", "GET", strings.TrimPrefix(article, srv.URL), 200, TypeHTML, "<h1>" + html.EscapeString(items[0].Title) + "</h1>"},
		{"article unescaped", "GET", PathArticles + items[0].Slug(), 200, TypeHTML, `dir="rtl"`},
		{"missing article", "GET", PathArticles + "nope", 404, "", ""},
		{"articles folder", "GET", PathArticles, 404, "", ""},
		{"unknown path", "GET", "/feed.xml", 404, "", ""},
		{"post", "POST", PathAtom, 405, "", ""},
		{"delete", "DELETE", "/", 405, "", ""},
		{"put article", "PUT", strings.TrimPrefix(article, srv.URL), 405, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, tc.method, srv.URL+tc.path, nil)
			if resp.StatusCode != tc.status {
				t.Fatalf("%s %s = %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
			}
			if tc.ctype != "" && resp.Header.Get("Content-Type") != tc.ctype {
				t.Errorf("Content-Type = %q, want %q", resp.Header.Get("Content-Type"), tc.ctype)
			}
			if !bytes.Contains(body, []byte(tc.contains)) {
				t.Errorf("body does not contain %q:\n%s", tc.contains, body)
			}
		})
	}
}

func TestHandlerHeadAndConditional(t *testing.T) {
	_, srv := serve(t, storedItems())
	for _, path := range []string{PathAtom, PathRSS, PathJSON, "/"} {
		get, body := do(t, "GET", srv.URL+path, nil)
		head, headBody := do(t, "HEAD", srv.URL+path, nil)
		if head.StatusCode != 200 || len(headBody) != 0 {
			t.Errorf("HEAD %s = %d with %d bytes, want 200 and no body", path, head.StatusCode, len(headBody))
		}
		for _, h := range []string{"Content-Type", "Content-Length", "ETag", "Last-Modified"} {
			if get.Header.Get(h) == "" || head.Header.Get(h) != get.Header.Get(h) {
				t.Errorf("%s %s: GET has %q, HEAD has %q", path, h, get.Header.Get(h), head.Header.Get(h))
			}
		}
		if got := get.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) {
			t.Errorf("%s Content-Length = %s, body is %d bytes", path, got, len(body))
		}
		notModified, nmBody := do(t, "GET", srv.URL+path, http.Header{"If-None-Match": {get.Header.Get("ETag")}})
		if notModified.StatusCode != http.StatusNotModified || len(nmBody) != 0 {
			t.Errorf("GET %s with its ETag = %d with %d bytes, want 304 and no body", path, notModified.StatusCode, len(nmBody))
		}
	}
}

func TestHandlerFollowsStore(t *testing.T) {
	store, srv := serve(t, nil)
	_, before := do(t, "GET", srv.URL+PathAtom, nil)
	if bytes.Contains(before, []byte("<entry")) {
		t.Fatal("an empty store gave entries")
	}
	it := storedItems()[0]
	if _, err := store.Put(it); err != nil {
		t.Fatal(err)
	}
	want := []byte(EntryID(srv.URL, it))
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, body := do(t, "GET", srv.URL+PathAtom, nil)
		if bytes.Contains(body, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new article never reached the feed:\n%s", body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := store.Remove(it.Path); err != nil {
		t.Fatal(err)
	}
	for {
		_, body := do(t, "GET", srv.URL+PathJSON, nil)
		if !bytes.Contains(body, []byte(`"id"`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the removed article stayed in the feed:\n%s", body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
