package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/media"
	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// TestHealthAndMetrics reads /healthz and /metrics as the daemon publishes,
// refuses and serves, and /healthz again as its seeds folder goes and
// comes back.
func TestHealthAndMetrics(t *testing.T) {
	parent := t.TempDir()
	seeds := filepath.Join(parent, "seeds")
	os.Mkdir(seeds, 0o755)
	os.WriteFile(filepath.Join(seeds, "a.txt"), []byte("أ\nفقرة"), 0o644)
	d := startDaemon(t, seeds, filepath.Join(t.TempDir(), "m.db"))

	resp, body := d.get(t, "/healthz")
	var h struct {
		Status   string
		Articles int
		Reason   string
	}
	if err := json.Unmarshal(body, &h); err != nil || resp.StatusCode != 200 || h.Status != "ok" || h.Articles != 1 {
		t.Fatalf("GET /healthz = %d %s (%v)", resp.StatusCode, body, err)
	}

	// Publish one file through an event, refuse another, read a feed.
	os.WriteFile(filepath.Join(seeds, "b.txt"), []byte("ب"), 0o644)
	os.WriteFile(filepath.Join(seeds, "empty.txt"), nil, 0o644)
	seedtest.WaitFor(t, eventLimit, "b.txt and empty.txt", d.log, func() bool {
		return strings.Contains(d.log.String(), "path=b.txt") && strings.Contains(d.log.String(), "path=empty.txt")
	})
	// The log has no line per request at the default level: requests of
	// every kind, and the log as long after them as before.
	lines := strings.Count(d.log.String(), "\n")
	for range 5 {
		d.get(t, "/feed.atom")
		d.get(t, "/")
		d.get(t, "/nope")
		d.get(t, "/healthz")
		rawRequest(t, strings.TrimPrefix(d.url, "http://"), "/articles/../x")
	}
	// A publication after them is logged after anything they could have
	// made the daemon log: wait for it, then count every other line.
	if err := os.WriteFile(filepath.Join(seeds, "marker.txt"), []byte("علامة\nفقرة"), 0o644); err != nil {
		t.Fatal(err)
	}
	seedtest.WaitFor(t, eventLimit, "the marker's publication", d.log, func() bool {
		return strings.Contains(d.log.String(), "path=marker.txt")
	})
	if n := strings.Count(d.log.String(), "\n") - d.log.Count("marker.txt"); n != lines {
		t.Errorf("20 requests wrote %d log lines at the default level:\n%s", n-lines, d.log)
	}

	// The feeds are rendered after the store changes, not before it says so.
	seedtest.WaitFor(t, eventLimit, "a render after the changes", d.log, func() bool {
		return value(t, d.scrape(t), "seedfeed_render_duration_seconds") >= 1
	})
	checkMetrics(t, d.scrape(t))

	// Without its seeds folder the daemon is not healthy, and says why.
	if err := os.RemoveAll(seeds); err != nil {
		t.Fatal(err)
	}
	seedtest.WaitFor(t, eventLimit, "an unhealthy /healthz", d.log, func() bool {
		resp, body := d.get(t, "/healthz")
		return resp.StatusCode == 503 && strings.Contains(string(body), "seeds folder")
	})
	os.Mkdir(seeds, 0o755)
	seedtest.WaitFor(t, eventLimit, "a healthy /healthz again", d.log, func() bool {
		resp, _ := d.get(t, "/healthz")
		return resp.StatusCode == 200
	})
}

// checkMetrics checks what TestHealthAndMetrics's daemon counted.
func checkMetrics(t *testing.T, m map[string]*dto.MetricFamily) {
	t.Helper()
	for _, c := range []struct {
		name   string
		labels []string
		min    float64
	}{
		{"seedfeed_articles", nil, 2},
		{"seedfeed_publications_total", []string{"change", "added"}, 2},
		{"seedfeed_files_refused_total", []string{"reason", "empty"}, 1},
		{"seedfeed_files_refused_total", []string{"reason", "binary"}, 0},
		{"seedfeed_watcher_events_total", []string{"op", "close_write"}, 2},
		{"seedfeed_rescans_total", []string{"reason", "startup"}, 1},
		{"seedfeed_publish_latency_seconds", nil, 1},
		{"seedfeed_render_duration_seconds", nil, 1},
		{"seedfeed_last_publication_timestamp_seconds", nil, float64(time.Now().Add(-time.Minute).Unix())},
		{"seedfeed_http_requests_total", []string{"route", "atom", "code", "200"}, 1},
		{"seedfeed_http_requests_total", []string{"route", "index", "code", "200"}, 1},
		{"seedfeed_http_requests_total", []string{"route", "healthz", "code", "200"}, 1},
		{"seedfeed_http_requests_total", []string{"route", "none", "code", "404"}, 1},
		{"seedfeed_http_requests_total", []string{"route", "refused", "code", "404"}, 1},
		{"seedfeed_http_request_duration_seconds", []string{"route", "atom"}, 1},
		{"go_goroutines", nil, 1},
		{"process_resident_memory_bytes", nil, 1},
	} {
		if v := value(t, m, c.name, c.labels...); v < c.min {
			t.Errorf("%s%v = %v, want at least %v", c.name, c.labels, v, c.min)
		}
	}
	if v := value(t, m, "seedfeed_rescans_total", "reason", "startup"); v != 1 {
		t.Errorf("startup scans = %v, want 1", v)
	}
	// Routes are named for people, not by their patterns ("GET /{$}").
	for _, metric := range m["seedfeed_http_requests_total"].GetMetric() {
		for _, l := range metric.GetLabel() {
			if l.GetName() == "route" && strings.ContainsAny(l.GetValue(), " /{") {
				t.Errorf("a request is counted under the route %q, a pattern, not a name", l.GetValue())
			}
		}
	}
}

// rawRequest sends a request line as it is, which no HTTP client would,
// and returns the status code and body.
func rawRequest(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %.80s: %v", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestHostileRequests: traversal, NUL bytes and huge targets get 400 or
// 404, never a file from outside the database, and the daemon serves on.
func TestHostileRequests(t *testing.T) {
	d := startDaemon(t, copySeeds(t), filepath.Join(t.TempDir(), "h.db"))
	addr := strings.TrimPrefix(d.url, "http://")
	long := "/articles/" + strings.Repeat("ا", 5000)
	for _, tc := range []struct {
		target string
		codes  []int
	}{
		{"/articles/../../etc/passwd", []int{404}},
		{"/articles/%2e%2e/%2e%2e/etc/passwd", []int{404}},
		{"/articles/..%2f..%2fetc%2fpasswd", []int{404}},
		{"/%2e%2e/%2e%2e/etc/passwd", []int{404}},
		{"/../../../../etc/passwd", []int{404}},
		{"/articles/./000_a9589b6d9dbb613e", []int{404}},
		{"/articles//etc/passwd", []int{404}},
		{"/articles/%00", []int{400}},
		{"/feed.atom%00.txt", []int{400}},
		{"/articles/a%00/../../etc/passwd", []int{400}},
		{"/articles/%ff%fe", []int{404}},
		{long, []int{400}},
		{"/" + strings.Repeat("a", 1<<20), []int{400, 414, 431}}, // over the header limit: refused by net/http
	} {
		code, body := rawRequest(t, addr, tc.target)
		ok := false
		for _, c := range tc.codes {
			ok = ok || code == c
		}
		if !ok {
			t.Errorf("GET %.60s = %d, want one of %v", tc.target, code, tc.codes)
		}
		if strings.Contains(body, "root:") {
			t.Errorf("GET %.60s served a file from outside: %.100s", tc.target, body)
		}
		// The site's own error page, in its language (issue 16), where
		// the daemon answered and not net/http before it.
		if code == 400 || code == 404 {
			if heading := map[int]string{400: "<h1>طلب غير صالح</h1>", 404: "<h1>الصفحة غير موجودة</h1>"}[code]; !strings.Contains(body, heading) || !strings.Contains(body, `<html lang="ar" dir="rtl">`) {
				t.Errorf("GET %.60s = %d: want the Arabic HTML error page, got %.200s", tc.target, code, body)
			}
		}
	}
	if resp, _ := d.get(t, "/feed.atom"); resp.StatusCode != 200 {
		t.Errorf("after the hostile requests, /feed.atom = %d", resp.StatusCode)
	}
}

// TestSlowClients holds many connections open, sending headers a byte at
// a time: other clients are served meanwhile, and the server drops the
// slow ones after its read-header timeout.
func TestSlowClients(t *testing.T) {
	d := startDaemon(t, copySeeds(t), filepath.Join(t.TempDir(), "s.db"))
	addr := strings.TrimPrefix(d.url, "http://")
	const slow = 200
	var conns []net.Conn
	for range slow {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /feed.atom HTTP/1.1\r\nHost: x\r\nX-Slow: ")
		conns = append(conns, c)
	}
	start := time.Now()
	for range 20 {
		resp, err := (&http.Client{Timeout: 2 * time.Second}).Get(d.url + "/feed.atom")
		if err != nil {
			t.Fatalf("a normal client was not served while %d slow ones wait: %v", slow, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	t.Logf("20 requests served in %v beside %d slow connections", time.Since(start), slow)

	// Keep trickling; the server must hang up within its read-header
	// timeout (5s), not wait for the headers to end.
	deadline := time.Now().Add(15 * time.Second)
	closed := 0
	for _, c := range conns {
		for {
			c.SetWriteDeadline(time.Now().Add(time.Second))
			if _, err := c.Write([]byte("a")); err != nil {
				closed++
				break
			}
			c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			if _, err := c.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
				closed++ // the server answered 408 or closed
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d slow connections still open after 15s", slow-closed, slow)
			}
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestIdleClientsCannotLockOut: clients that take every connection the
// process can hold and idle on keep-alive must not lock others out, nor
// take the file descriptors the watcher needs: with a limit of 256
// descriptors and 300 idle clients, a new client is served and a dropped
// file is published, each within seconds.
func TestIdleClientsCannotLockOut(t *testing.T) {
	seeds := copySeeds(t)
	cmd := command("-seeds", seeds, "-db", filepath.Join(t.TempDir(), "idle.db"), "-addr", "127.0.0.1:0")
	cmd.Env = append(cmd.Env, "SEEDFEED_TEST_NOFILE=256")
	p := startProcess(t, cmd)
	seedtest.WaitFor(t, eventLimit, "the daemon to start", p.out, p.logged("msg=listening"))
	addr := regexpAddr(t, p.out.String())
	const idle = 300
	for range idle {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// One request, then nothing: the connection idles on keep-alive
		// (once the server accepts it; past its limit it waits).
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("beside %d idle clients, a new one is not served: %v\n%s", idle, err, p.out)
	}
	resp.Body.Close()
	os.WriteFile(filepath.Join(seeds, "dropped.txt"), []byte("خبر أثناء الازدحام\nفقرة"), 0o644)
	published := seedtest.Poll(5*time.Second, func() bool {
		resp, err = client.Get("http://" + addr + "/feed.json")
		if err != nil {
			return false
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(body), "خبر أثناء الازدحام")
	})
	if !published {
		t.Fatalf("beside %d idle clients, a dropped file is not published (%v):\n%s", idle, err, p.out)
	}
	if strings.Contains(p.out.String(), "too many open files") {
		t.Errorf("the daemon ran out of file descriptors:\n%s", p.out)
	}
}

// BenchmarkHandler304 measures what seedfeed's own code adds to a
// conditional request, the case where per-request costs show most in
// bench/serve.sh: the whole handler chain (metrics wrapper, guard, mux,
// feed handler) against the mux alone and against a handler that does
// only what bench/minimal does. net/http's connection handling is left
// out, so the difference is seedfeed's.
func BenchmarkHandler304(b *testing.B) {
	store, err := storage.Open(filepath.Join(b.TempDir(), "bench.db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	logger := slog.New(slog.DiscardHandler)
	cfg := feed.Config{BaseURL: "http://127.0.0.1", Title: "t", Lang: language.Arabic, Limit: 50, MaxAge: 5 * time.Minute}
	h, err := feed.NewHandler(store, cfg, logger)
	if err != nil {
		b.Fatal(err)
	}
	pages, err := feed.NewErrorPages(cfg)
	if err != nil {
		b.Fatal(err)
	}
	mux, names := http.NewServeMux(), map[string]string{}
	for _, r := range h.Routes() {
		mux.Handle(r.Pattern, r.Handler)
		names[r.Pattern] = r.Name
	}
	chain := newMetrics(func() float64 { return 0 }, func() float64 { return 0 }).instrument(mux, names, logger, pages.Write)

	rw := &discardWriter{h: http.Header{}}
	req, err := http.NewRequest("GET", "http://127.0.0.1/feed.atom", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.RequestURI = "/feed.atom"
	chain.ServeHTTP(rw, req)
	etag := rw.h.Get("ETag")
	req.Header.Set("If-None-Match", etag)

	minimal := http.NewServeMux()
	minimal.HandleFunc("GET /feed.atom", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("ETag", etag)
		h.Set("Vary", "Accept-Encoding")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
		}
	})
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"seedfeed", chain}, {"mux-only", mux}, {"minimal", minimal}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				clear(rw.h)
				r := *req
				c.h.ServeHTTP(rw, &r)
				if rw.code != http.StatusNotModified {
					b.Fatalf("status %d, want 304", rw.code)
				}
			}
		})
	}
}

// discardWriter is a ResponseWriter that keeps the status and drops the body.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

// TestMedia serves an image from under the seeds folder in the running
// daemon, with its headers and a 304 when asked again, refuses hostile
// paths, links and files over -max-media-size, and counts every request
// under the route "media".
func TestMedia(t *testing.T) {
	parent := t.TempDir()
	seeds := filepath.Join(parent, "seeds")
	os.MkdirAll(filepath.Join(seeds, "صور"), 0o755)
	img := bytes.Repeat([]byte("\x89PNG\r\n\x1a\n"), 64)
	for name, data := range map[string][]byte{
		"صور/صورة.jpg":  img,
		"a.txt":         []byte("عنوان\nفقرة"),
		"big.png":       make([]byte, 2<<10),
		"../secret.jpg": []byte("SECRET"),
	} {
		if err := os.WriteFile(filepath.Join(seeds, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../secret.jpg", filepath.Join(seeds, "link.jpg")); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, seeds, filepath.Join(t.TempDir(), "m.db"), "-max-media-size", "1KiB", "-max-age", "60")

	url := d.url + media.URLPath("صور/صورة.jpg")
	resp, body := d.get(t, media.URLPath("صور/صورة.jpg"))
	if resp.StatusCode != 200 || !bytes.Equal(body, img) {
		t.Fatalf("GET %s = %d, %d bytes; want 200 and %d", url, resp.StatusCode, len(body), len(img))
	}
	etag := resp.Header.Get("ETag")
	for k, want := range map[string]string{"Content-Type": "image/jpeg", "Content-Length": fmt.Sprint(len(img)),
		"Cache-Control": "public, max-age=60", "X-Content-Type-Options": "nosniff"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("GET %s: %s = %q, want %q", url, k, got, want)
		}
	}
	if !strings.HasPrefix(etag, `"`) || resp.Header.Get("Last-Modified") == "" {
		t.Errorf("GET %s: ETag %q, Last-Modified %q; want a strong ETag and a date", url, etag, resp.Header.Get("Last-Modified"))
	}
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("If-None-Match", etag)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 304 {
		t.Errorf("GET %s with If-None-Match = %v, %v; want 304", url, resp, err)
	} else {
		resp.Body.Close()
	}
	if resp, err := http.Post(url, "text/plain", nil); err != nil || resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST %s = %v, %v; want 405 with Allow: GET, HEAD", url, resp, err)
	} else {
		resp.Body.Close()
	}

	addr := strings.TrimPrefix(d.url, "http://")
	for _, tc := range []struct {
		target string
		code   int
	}{
		{"/media/../secret.jpg", 404},
		{"/media/%2e%2e/secret.jpg", 404},
		{"/media/%2e%2e%2fsecret.jpg", 404},
		{"/media//secret.jpg", 404},
		{`/media/..\secret.jpg`, 404},
		{"/media/link.jpg", 404},
		{"/media/a.txt", 404},
		{"/media/big.png", 404},
		{"/media/a%00.jpg", 400},
		{"/media/" + strings.Repeat("ص", 3000) + ".jpg", 400},
	} {
		code, body := rawRequest(t, addr, tc.target)
		if code != tc.code || strings.Contains(body, "SECRET") {
			t.Errorf("GET %.60s = %d %.60q, want %d", tc.target, code, body, tc.code)
		}
	}
	if n := d.log.Count("media file refused", "path=big.png", "-max-media-size"); n != 1 {
		t.Errorf("big.png refused with %d warnings, want 1:\n%s", n, d.log)
	}
	m := d.scrape(t)
	for _, code := range []string{"200", "304", "404", "405"} {
		if v := value(t, m, "seedfeed_http_requests_total", "route", "media", "code", code); v < 1 {
			t.Errorf("requests counted under route media, code %s: %v, want at least 1", code, v)
		}
	}
}
