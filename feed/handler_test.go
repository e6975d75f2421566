package feed

import (
	"bytes"
	"compress/gzip"
	"context"
	"html"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/article"
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
		{"atom", "GET", PathAtom, 200, typeAtom, `<feed xml:lang="ar"`},
		{"rss", "GET", PathRSS, 200, typeRSS, `<language>ar</language>`},
		{"json", "GET", PathJSON, 200, typeJSON, `"language": "ar"`},
		{"index", "GET", "/", 200, typeHTML, `<html lang="ar" dir="rtl">`},
		{"index query", "GET", "/?utm_source=x", 200, typeHTML, `rel="alternate" type="application/atom+xml"`},
		{"article", "GET", strings.TrimPrefix(article, srv.URL), 200, typeHTML, "<h1>" + html.EscapeString(items[0].Title) + "</h1>"},
		{"article unescaped", "GET", PathArticles + items[0].Slug(), 200, typeHTML, `dir="rtl"`},
		{"missing article", "GET", PathArticles + "nope", 404, typeHTML, "<h1>الصفحة غير موجودة</h1>"},
		{"articles folder", "GET", PathArticles, 404, typeHTML, "<h1>الصفحة غير موجودة</h1>"},
		{"unknown path", "GET", "/feed.xml", 404, typeHTML, `<html lang="ar" dir="rtl">`},
		{"unknown section", "GET", PathSections + "nope/", 404, typeHTML, "<title>الصفحة غير موجودة · "},
		{"page past the last", "GET", "/page/9/", 404, typeHTML, `<meta name="robots" content="noindex">`},
		{"post unknown path", "POST", "/nope", 405, "", ""},
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

// representations fetches path in both encodings and checks what every
// document must carry.
func representations(t *testing.T, base, path string) (plain, gz *http.Response, plainBody, gzBody []byte) {
	t.Helper()
	plain, plainBody = do(t, "GET", base+path, http.Header{"Accept-Encoding": {"identity"}})
	gz, gzBody = do(t, "GET", base+path, http.Header{"Accept-Encoding": {"gzip, deflate, br"}})
	for _, resp := range []*http.Response{plain, gz} {
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		for h, want := range map[string]string{
			"Vary":             "Accept-Encoding",
			"Cache-Control":    "public, max-age=300",
			"Content-Language": "ar",
		} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("GET %s %s = %q, want %q", path, h, got, want)
			}
		}
		if etag := resp.Header.Get("ETag"); !strings.HasPrefix(etag, `"`) {
			t.Errorf("GET %s ETag = %q, want a strong ETag", path, etag)
		}
	}
	if got := gz.Header.Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("GET %s with gzip: Content-Encoding = %q", path, got)
	}
	if plain.Header.Get("Content-Encoding") != "" {
		t.Errorf("GET %s without gzip: Content-Encoding = %q", path, plain.Header.Get("Content-Encoding"))
	}
	if plain.Header.Get("ETag") == gz.Header.Get("ETag") {
		t.Errorf("GET %s: the gzip body has the plain body's ETag", path)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gzBody))
	if err != nil {
		t.Fatalf("GET %s gzip body: %v", path, err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, plainBody) {
		t.Errorf("GET %s: the gzip body does not decompress to the plain body (%v)", path, err)
	}
	for resp, body := range map[*http.Response][]byte{plain: plainBody, gz: gzBody} {
		if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) {
			t.Errorf("GET %s Content-Length = %s, body is %d bytes", path, got, len(body))
		}
	}
	return plain, gz, plainBody, gzBody
}

func TestHandlerHTTP(t *testing.T) {
	items := storedItems()
	store, srv := serve(t, items)
	changed, err := store.LastChange()
	if err != nil {
		t.Fatal(err)
	}
	newest := updated(items)
	if changed.After(newest) {
		newest = changed
	}
	want := newest.UTC().Format(http.TimeFormat)
	paths := []string{PathAtom, PathRSS, PathJSON, "/", PathArticles + escapePath(items[0].Slug())}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			plain, gz, plainBody, _ := representations(t, srv.URL, path)
			if path != paths[4] && plain.Header.Get("Last-Modified") != want {
				t.Errorf("Last-Modified = %q, want the later of the newest entry's date and the last change, %q", plain.Header.Get("Last-Modified"), want)
			}
			for _, enc := range []string{"identity", "gzip"} {
				get := map[string]*http.Response{"identity": plain, "gzip": gz}[enc]
				head, body := do(t, "HEAD", srv.URL+path, http.Header{"Accept-Encoding": {enc}})
				if head.StatusCode != 200 || len(body) != 0 {
					t.Errorf("HEAD %s (%s) = %d with %d bytes, want 200 and no body", path, enc, head.StatusCode, len(body))
				}
				for _, h := range []string{"Content-Type", "Content-Length", "Content-Encoding", "ETag", "Last-Modified", "Vary", "Cache-Control", "Content-Language"} {
					if head.Header.Get(h) != get.Header.Get(h) {
						t.Errorf("HEAD %s (%s) %s = %q, GET has %q", path, enc, h, head.Header.Get(h), get.Header.Get(h))
					}
				}
				// Conditional requests: the representation's own ETag, or its date.
				for _, cond := range []http.Header{
					{"If-None-Match": {get.Header.Get("ETag")}},
					{"If-None-Match": {`"other", ` + get.Header.Get("ETag")}},
					{"If-Modified-Since": {get.Header.Get("Last-Modified")}},
				} {
					cond.Set("Accept-Encoding", enc)
					resp, body := do(t, "GET", srv.URL+path, cond)
					if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
						t.Errorf("GET %s %v = %d with %d bytes, want 304 and no body", path, cond, resp.StatusCode, len(body))
					}
					if resp.Header.Get("Vary") != "Accept-Encoding" || resp.Header.Get("ETag") != get.Header.Get("ETag") {
						t.Errorf("304 for %s lacks Vary or ETag: %v", path, resp.Header)
					}
				}
			}
			// The plain body's ETag does not validate the gzip body.
			resp, _ := do(t, "GET", srv.URL+path, http.Header{"Accept-Encoding": {"gzip"}, "If-None-Match": {plain.Header.Get("ETag")}})
			if resp.StatusCode != 200 {
				t.Errorf("GET %s gzip with the plain ETag = %d, want 200", path, resp.StatusCode)
			}
			// An older date or another ETag gets the body.
			resp, _ = do(t, "GET", srv.URL+path, http.Header{"Accept-Encoding": {"identity"}, "If-None-Match": {`"stale"`}})
			if resp.StatusCode != 200 {
				t.Errorf("GET %s with a stale ETag = %d, want 200", path, resp.StatusCode)
			}
			// Query strings do not change what is served.
			q, qBody := do(t, "GET", srv.URL+path+"?utm_source=reader&x=%00", http.Header{"Accept-Encoding": {"identity"}})
			if q.Header.Get("ETag") != plain.Header.Get("ETag") || !bytes.Equal(qBody, plainBody) {
				t.Errorf("GET %s with a query string served something else", path)
			}
		})
	}
}

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		header []string
		want   bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"gzip"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"deflate, gzip;q=0.5"}, true},
		{[]string{"br", "gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"*"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"*, gzip;q=0"}, false},
		{[]string{"identity"}, false},
		{[]string{"br, deflate"}, false},
		{[]string{"gzip;q=abc"}, false},
		{[]string{"gzip;q=2"}, false},
	} {
		if got := acceptsGzip(tc.header); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

// TestGzipOncePerChange serves many gzip requests and checks that they
// did not compress anything: a gzip writer allocates hundreds of kilobytes
// of state, so compressing per request would show in the bytes allocated.
func TestGzipOncePerChange(t *testing.T) {
	store, err := storage.Open(filepath.Join(t.TempDir(), "test.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Put(storedItems()...); err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(store, testConfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", PathAtom, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	var first []byte
	serveN := func(n int) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for range n {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if first == nil {
				first = rec.Body.Bytes()
			} else if !bytes.Equal(rec.Body.Bytes(), first) {
				t.Fatal("two gzip responses differ")
			}
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	const n = 200
	if got := serveN(n); got > n*64<<10 {
		t.Errorf("%d gzip responses allocated %d bytes (%d each): compressed per request?", n, got, got/n)
	}
	// Cross-check that the measure would catch compression per request.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		if _, err := newDoc(first, typeAtom, t0); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 10; per < 64<<10 {
		t.Errorf("one compression allocated only %d bytes: the check above proves nothing", per)
	}
}

// TestETagFollowsBytes edits an article twice within one second: each
// edit changes the feed's bytes and so its ETag.
func TestETagFollowsBytes(t *testing.T) {
	store, srv := serve(t, nil)
	it := storage.Item{Path: "a.txt", Article: article.Article{Title: "أ"}, Published: t0, Updated: t0, File: storage.File{Hash: "1"}}
	etags := map[string]bool{}
	for i, title := range []string{"أ", "ب", "ت"} {
		it.Title, it.File.Hash = title, title
		if _, err := store.Put(it); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			resp, body := do(t, "GET", srv.URL+PathJSON, http.Header{"Accept-Encoding": {"identity"}})
			if bytes.Contains(body, []byte(`"title": "`+title+`"`)) {
				if etags[resp.Header.Get("ETag")] {
					t.Errorf("edit %d kept an earlier ETag %s", i, resp.Header.Get("ETag"))
				}
				etags[resp.Header.Get("ETag")] = true
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("edit %d never reached the feed", i)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func TestFavicon(t *testing.T) {
	_, srv := serve(t, nil)
	resp, body := do(t, "GET", srv.URL+"/favicon.ico", http.Header{"Accept-Encoding": {"identity"}})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/x-icon" {
		t.Fatalf("GET /favicon.ico = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if len(body) < 22 || !bytes.Equal(body[:4], []byte{0, 0, 1, 0}) {
		t.Fatalf("/favicon.ico is not an ICO file: % x", body[:min(len(body), 8)])
	}
	img, err := png.Decode(bytes.NewReader(body[22:]))
	if err != nil || img.Bounds().Dx() != 32 || img.Bounds().Dy() != 32 {
		t.Errorf("/favicon.ico image: %v, %v", img, err)
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

// TestLastModifiedFollowsDeletions: a deletion changes the feed but not
// its newest entry's date; a client asking If-Modified-Since must get it.
func TestLastModifiedFollowsDeletions(t *testing.T) {
	items := storedItems()
	store, srv := serve(t, items)
	first, _ := do(t, "GET", srv.URL+PathJSON, http.Header{"Accept-Encoding": {"identity"}})
	lm := first.Header.Get("Last-Modified")
	time.Sleep(1100 * time.Millisecond) // Last-Modified has whole seconds
	if _, err := store.Remove(items[len(items)-1].Path); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, _ := do(t, "GET", srv.URL+PathJSON, http.Header{"Accept-Encoding": {"identity"}, "If-Modified-Since": {lm}})
		if resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a deletion, If-Modified-Since %s still gets %d", lm, resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestIfModifiedSinceWithinOneSecond: two versions of a feed within one
// second share a Last-Modified (HTTP dates have whole seconds). A client
// holding the first and asking If-Modified-Since must get the second, not
// a 304; a client naming a later second still gets its 304.
func TestIfModifiedSinceWithinOneSecond(t *testing.T) {
	// Start just after a second begins, so both versions fall within it.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 20*time.Millisecond)))
	items := storedItems()
	store, srv := serve(t, items)
	identity := http.Header{"Accept-Encoding": {"identity"}}
	first, _ := do(t, "GET", srv.URL+PathJSON, identity)
	lm := first.Header.Get("Last-Modified")
	if _, err := store.Remove(items[len(items)-1].Path); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, _ := do(t, "GET", srv.URL+PathJSON, identity)
		if resp.Header.Get("ETag") != first.Header.Get("ETag") {
			if resp.Header.Get("Last-Modified") != lm {
				t.Logf("the second version came a second later (%s, then %s): the test ran slow", lm, resp.Header.Get("Last-Modified"))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the deletion never reached the feed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	resp, _ := do(t, "GET", srv.URL+PathJSON, http.Header{"Accept-Encoding": {"identity"}, "If-Modified-Since": {lm}})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("holding the first version (If-Modified-Since %s), a client gets %d", lm, resp.StatusCode)
	}
	later, _ := http.ParseTime(lm)
	next := later.Add(time.Second).Format(http.TimeFormat)
	resp, _ = do(t, "GET", srv.URL+PathJSON, http.Header{"Accept-Encoding": {"identity"}, "If-Modified-Since": {next}})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since a second after Last-Modified gets %d, want 304", resp.StatusCode)
	}
	// Once the shared second is over, the feed says the next one, which
	// no other version had: a client polling with it alone gets its 304s.
	time.Sleep(time.Until(later.Add(time.Second + 10*time.Millisecond)))
	resp, _ = do(t, "GET", srv.URL+PathJSON, identity)
	if got := resp.Header.Get("Last-Modified"); got != next {
		t.Errorf("after the shared second, Last-Modified %s, want %s", got, next)
	}
	for _, c := range []struct {
		ims  string
		want int
	}{{next, http.StatusNotModified}, {lm, http.StatusOK}} {
		resp, _ = do(t, "GET", srv.URL+PathJSON, http.Header{"Accept-Encoding": {"identity"}, "If-Modified-Since": {c.ims}})
		if resp.StatusCode != c.want {
			t.Errorf("after the shared second, If-Modified-Since %s gets %d, want %d", c.ims, resp.StatusCode, c.want)
		}
	}
}
