package media

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/seedtest"
)

// photo stands for an image: the handler never looks inside one.
var photo = bytes.Repeat([]byte("\xff\xd8\xff\xe0JFIF"), 100)

// secret is the content of a file outside the seeds folder.
const secret = "SECRET outside the seeds folder"

// folders makes a seeds folder with one file of each kind the handler
// serves or refuses, beside a folder outside it, and returns the seeds
// folder.
func folders(t *testing.T) string {
	t.Helper()
	parent := t.TempDir()
	seeds, outside := filepath.Join(parent, "seeds"), filepath.Join(parent, "outside")
	for _, d := range []string{seeds, outside, filepath.Join(seeds, "صور"), filepath.Join(seeds, ".hidden"), filepath.Join(seeds, "y.png")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string][]byte{
		"صور/صورة.jpg":         photo,
		"PHOTO.PNG":            photo,
		"logo.svg":             []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
		"article.md":           []byte("---\ntitle: مسودة\ndraft: true\n---\nسر"),
		"article.txt":          []byte("عنوان\nفقرة"),
		".h.jpg":               photo,
		".hidden/a.jpg":        photo,
		"big.jpg":              bytes.Repeat([]byte{1}, 2000),
		"../outside/s.jpg":     []byte(secret),
		"../outside/other.png": []byte(secret),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(seeds, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"link.jpg":  "../outside/s.jpg", // a file outside
		"inner.jpg": "PHOTO.PNG",        // a file inside: still a link
		"away":      "../outside",       // a folder outside
	} {
		if err := os.Symlink(target, filepath.Join(seeds, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(seeds, "x.jpg"), 0o644); err != nil {
		t.Fatal(err)
	}
	return seeds
}

// serve runs a handler on seeds on 127.0.0.1 until the test ends.
func serve(t *testing.T, seeds string, log io.Writer) *httptest.Server {
	t.Helper()
	h, err := NewHandler(seeds, Options{MaxSize: 1024, MaxAge: 300 * time.Second,
		Logger: slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// client is an HTTP client that gives up rather than hang on a FIFO.
var client = &http.Client{Timeout: 10 * time.Second}

func do(t *testing.T, method, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestServe fetches a media file by its percent-encoded Arabic path, then
// asks for it again conditionally, in part, with HEAD and with POST.
func TestServe(t *testing.T) {
	seeds := folders(t)
	srv := serve(t, seeds, io.Discard)
	url := srv.URL + URLPath("صور/صورة.jpg")
	resp, body := do(t, "GET", url)
	fi, err := os.Stat(filepath.Join(seeds, "صور/صورة.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	etag := resp.Header.Get("ETag")
	for k, want := range map[string]string{
		"Content-Type":            "image/jpeg",
		"Content-Length":          fmt.Sprint(len(photo)),
		"Cache-Control":           "public, max-age=300",
		"X-Content-Type-Options":  "nosniff",
		"Last-Modified":           fi.ModTime().UTC().Format(http.TimeFormat),
		"Accept-Ranges":           "bytes",
		"Content-Security-Policy": "",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("GET %s: %s = %q, want %q", url, k, got, want)
		}
	}
	if resp.StatusCode != 200 || !bytes.Equal(body, photo) {
		t.Fatalf("GET %s = %d, %d bytes; want 200 and the file's %d", url, resp.StatusCode, len(body), len(photo))
	}
	if len(etag) < 3 || etag[0] != '"' || strings.HasPrefix(etag, "W/") {
		t.Errorf("ETag = %q, want a strong one", etag)
	}

	for _, tc := range []struct {
		name   string
		method string
		header []string
		code   int
		body   string
	}{
		{"if-none-match", "GET", []string{"If-None-Match", etag}, 304, ""},
		{"if-none-match other", "GET", []string{"If-None-Match", `"other"`}, 200, string(photo)},
		{"if-modified-since", "GET", []string{"If-Modified-Since", resp.Header.Get("Last-Modified")}, 304, ""},
		{"range", "GET", []string{"Range", "bytes=0-3"}, 206, string(photo[:4])},
		{"range if-range stale", "GET", []string{"Range", "bytes=0-3", "If-Range", `"stale"`}, 200, string(photo)},
		{"range unsatisfiable", "GET", []string{"Range", "bytes=5000-"}, 416, ""},
		{"head", "HEAD", nil, 200, ""},
		{"head if-none-match", "HEAD", []string{"If-None-Match", etag}, 304, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, tc.method, url, tc.header...)
			if resp.StatusCode != tc.code || (tc.code != 416 && string(body) != tc.body) {
				t.Errorf("%s %v = %d, %d bytes; want %d, %d bytes", tc.method, tc.header, resp.StatusCode, len(body), tc.code, len(tc.body))
			}
			if tc.code != 416 && resp.Header.Get("ETag") != etag {
				t.Errorf("%s %v: ETag %q, want %q", tc.method, tc.header, resp.Header.Get("ETag"), etag)
			}
		})
	}
	if resp, _ := do(t, "HEAD", url); resp.Header.Get("Content-Length") != fmt.Sprint(len(photo)) {
		t.Errorf("HEAD: Content-Length %q, want %d", resp.Header.Get("Content-Length"), len(photo))
	}
	for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS"} {
		if resp, _ := do(t, m, url); resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s = %d, Allow %q; want 405 and GET, HEAD", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
}

// TestTypes: every media name in any case is served with its type, and
// an SVG with a policy that keeps it from running script.
func TestTypes(t *testing.T) {
	srv := serve(t, folders(t), io.Discard)
	resp, _ := do(t, "GET", srv.URL+"/media/PHOTO.PNG")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("GET PHOTO.PNG = %d %q, want 200 image/png", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, body := do(t, "GET", srv.URL+"/media/logo.svg")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(string(body), "<svg") {
		t.Errorf("GET logo.svg = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := resp.Header.Get("Content-Security-Policy"); got != "default-src 'none'; style-src 'unsafe-inline'; sandbox" {
		t.Errorf("GET logo.svg: Content-Security-Policy %q", got)
	}
}

// rawGet sends a request line as it is, which no HTTP client would, and
// returns the status code and body.
func rawGet(t *testing.T, addr, target string) (int, string) {
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

// TestRefused: what is not a media file under the folder, or not one to
// serve, is 4xx, and nothing from outside the folder is ever served.
func TestRefused(t *testing.T) {
	log := &seedtest.LogBuffer{}
	srv := serve(t, folders(t), log)
	addr := srv.Listener.Addr().String()
	for _, tc := range []struct {
		target string
		code   int
	}{
		{"/media/link.jpg", 404},                              // a link to a file outside
		{"/media/inner.jpg", 404},                             // a link to a file inside
		{"/media/away/s.jpg", 404},                            // through a linked folder
		{"/media/away/other.png", 404},                        // the same link
		{"/media/x.jpg", 404},                                 // a FIFO: refused, not waited on
		{"/media/y.png", 404},                                 // a folder
		{"/media/big.jpg", 404},                               // over the limit
		{"/media/article.md", 404},                            // an article, a draft: never served here
		{"/media/article.txt", 404},                           // an article
		{"/media/.h.jpg", 404},                                // hidden
		{"/media/.hidden/a.jpg", 404},                         // in a hidden folder
		{"/media/missing.jpg", 404},                           // no such file
		{"/media/PHOTO.PNG/x.jpg", 404},                       // a file as a folder
		{"/media/", 404},                                      // no listing
		{"/media/%D8%B5%D9%88%D8%B1", 404},                    // a folder, no listing
		{"/media/../outside/s.jpg", 404},                      // traversal
		{"/media/%2e%2e/outside/s.jpg", 404},                  // encoded
		{"/media/..%2foutside%2fs.jpg", 404},                  // encoded slashes
		{"/media/صور/../../outside/s.jpg", 404},               // traversal past a folder
		{"/media/./PHOTO.PNG", 404},                           // a dot segment
		{"/media//PHOTO.PNG", 404},                            // double slash
		{"/media/صور//صورة.jpg", 404},                         // double slash inside
		{`/media/..\outside\s.jpg`, 404},                      // backslashes
		{"/media/%5c..%5coutside%5cs.jpg", 404},               // encoded backslashes
		{"/media/PHOTO.PNG%00.jpg", 400},                      // NUL
		{"/media/%00", 400},                                   // NUL alone
		{"/media/%ff%fe.jpg", 404},                            // not UTF-8
		{"/media/a%0a.jpg", 404},                              // a control character
		{"/media/" + strings.Repeat("ا", 3000) + ".jpg", 400}, // very long
		{"/media/" + strings.Repeat("a", 300) + ".jpg", 404},  // a name too long for the file system
		{"/other/PHOTO.PNG", 404},                             // not under /media/
	} {
		code, body := rawGet(t, addr, tc.target)
		if code != tc.code {
			t.Errorf("GET %.60s = %d, want %d", tc.target, code, tc.code)
		}
		if strings.Contains(body, "SECRET") || strings.Contains(body, "JFIF") || strings.Contains(body, "مسودة") {
			t.Errorf("GET %.60s served a file it must not: %.100s", tc.target, body)
		}
	}
	if resp, _ := do(t, "GET", srv.URL+"/media/PHOTO.PNG"); resp.StatusCode != 200 {
		t.Errorf("after the hostile requests, GET PHOTO.PNG = %d", resp.StatusCode)
	}
	// The operator hears once of each file refused for what it is.
	for _, want := range []string{"path=big.jpg", "path=link.jpg", "path=away ", "path=x.jpg", "path=y.png"} {
		if n := log.Count("level=WARN", want); n != 1 {
			t.Errorf("%d warnings with %s, want 1:\n%s", n, want, log)
		}
	}
}

// TestWarnOncePerVersion: a file too large is logged once however often
// it is asked for, and again once it changes.
func TestWarnOncePerVersion(t *testing.T) {
	seeds := folders(t)
	log := &seedtest.LogBuffer{}
	srv := serve(t, seeds, log)
	for range 3 {
		do(t, "GET", srv.URL+"/media/big.jpg")
	}
	if n := log.Count("level=WARN", "path=big.jpg", "too large: 2000 bytes, the limit is 1024"); n != 1 {
		t.Errorf("3 requests for big.jpg logged %d warnings, want 1:\n%s", n, log)
	}
	if err := os.WriteFile(filepath.Join(seeds, "big.jpg"), bytes.Repeat([]byte{2}, 3000), 0o644); err != nil {
		t.Fatal(err)
	}
	do(t, "GET", srv.URL+"/media/big.jpg")
	if n := log.Count("level=WARN", "path=big.jpg", "too large: 3000 bytes"); n != 1 {
		t.Errorf("the changed big.jpg logged %d warnings, want 1:\n%s", n, log)
	}
	// Cut to the limit, it is served.
	if err := os.WriteFile(filepath.Join(seeds, "big.jpg"), bytes.Repeat([]byte{3}, 1024), 0o644); err != nil {
		t.Fatal(err)
	}
	if resp, body := do(t, "GET", srv.URL+"/media/big.jpg"); resp.StatusCode != 200 || len(body) != 1024 {
		t.Errorf("GET big.jpg at the limit = %d, %d bytes", resp.StatusCode, len(body))
	}
}

// TestETagChangesWithTheFile: a file replaced by another of the same size
// and modification time (a copy that keeps times) gets another ETag; the
// same file keeps its own.
func TestETagChangesWithTheFile(t *testing.T) {
	seeds := folders(t)
	srv := serve(t, seeds, io.Discard)
	p := filepath.Join(seeds, "PHOTO.PNG")
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := do(t, "GET", srv.URL+"/media/PHOTO.PNG")
	again, _ := do(t, "GET", srv.URL+"/media/PHOTO.PNG")
	if first.Header.Get("ETag") != again.Header.Get("ETag") {
		t.Fatalf("ETag changed between requests: %q, %q", first.Header.Get("ETag"), again.Header.Get("ETag"))
	}
	tmp := filepath.Join(seeds, ".new")
	other := bytes.Repeat([]byte("x"), len(photo))
	if err := os.WriteFile(tmp, other, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, "GET", srv.URL+"/media/PHOTO.PNG", "If-None-Match", first.Header.Get("ETag"))
	if resp.StatusCode != 200 || !bytes.Equal(body, other) || resp.Header.Get("ETag") == first.Header.Get("ETag") {
		t.Errorf("after a replacement with the same size and time: %d, ETag %q (was %q)", resp.StatusCode, resp.Header.Get("ETag"), first.Header.Get("ETag"))
	}
}

func TestNewHandlerErrors(t *testing.T) {
	if _, err := NewHandler(t.TempDir(), Options{}); err == nil {
		t.Error("NewHandler with no size limit succeeded")
	}
	if _, err := NewHandler(filepath.Join(t.TempDir(), "nope"), Options{MaxSize: 1}); err == nil {
		t.Error("NewHandler on a missing folder succeeded")
	}
}

// BenchmarkServe measures a request for a 40 KB image, whole and as a
// 304: the opens, the stat and the headers, without a network.
func BenchmarkServe(b *testing.B) {
	seeds := b.TempDir()
	os.MkdirAll(filepath.Join(seeds, "صور"), 0o755)
	if err := os.WriteFile(filepath.Join(seeds, "صور", "صورة.jpg"), bytes.Repeat([]byte{7}, 40<<10), 0o644); err != nil {
		b.Fatal(err)
	}
	h, err := NewHandler(seeds, Options{MaxSize: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	target := URLPath("صور/صورة.jpg")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
	etag := rec.Header().Get("ETag")
	for _, tc := range []struct {
		name, inm string
		code      int
	}{{"200", "", 200}, {"304", etag, 304}} {
		b.Run(tc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", target, nil)
			if tc.inm != "" {
				req.Header.Set("If-None-Match", tc.inm)
			}
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != tc.code {
					b.Fatalf("GET = %d, want %d", rec.Code, tc.code)
				}
			}
		})
	}
}
