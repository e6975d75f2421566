package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/seedfeed/seedfeed/storage"
)

// scrape fetches /metrics and parses it with Prometheus's own text parser.
func (d *instance) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	resp, body := d.get(t, "/metrics")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics = %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, body)
	}
	return families
}

// value returns the value of the family's metric with the given labels
// (name, value pairs), summing a histogram's count.
func value(t *testing.T, families map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	f, ok := families[name]
	if !ok {
		t.Fatalf("no metric %s", name)
	}
next:
	for _, m := range f.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				found = found || (l.GetName() == labels[i] && l.GetValue() == labels[i+1])
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	t.Fatalf("no metric %s%v", name, labels)
	return 0
}

func (d *instance) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s\n%s", what, d.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

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
	d.waitFor(t, "b.txt and empty.txt", func() bool {
		return strings.Contains(d.log.String(), "path=b.txt") && strings.Contains(d.log.String(), "path=empty.txt")
	})
	// The log has no line per request at the default level: requests of
	// every kind, and the log as long after them as before.
	lines := strings.Count(d.log.String(), "\n")
	for range 5 {
		d.get(t, "/feed.atom")
		d.get(t, "/nope")
		d.get(t, "/healthz")
		rawRequest(t, strings.TrimPrefix(d.url, "http://"), "/articles/../x")
	}
	time.Sleep(100 * time.Millisecond)
	if n := strings.Count(d.log.String(), "\n"); n != lines {
		t.Errorf("20 requests wrote %d log lines at the default level:\n%s", n-lines, d.log)
	}

	// The feeds are rendered after the store changes, not before it says so.
	d.waitFor(t, "a render after the changes", func() bool {
		return value(t, d.scrape(t), "seedfeed_render_duration_seconds") >= 1
	})
	m := d.scrape(t)
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
		{"seedfeed_http_requests_total", []string{"route", "GET /feed.atom", "code", "200"}, 1},
		{"seedfeed_http_requests_total", []string{"route", "none", "code", "404"}, 1},
		{"seedfeed_http_requests_total", []string{"route", "refused", "code", "404"}, 1},
		{"seedfeed_http_request_duration_seconds", []string{"route", "GET /feed.atom"}, 1},
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

	// Without its seeds folder the daemon is not healthy, and says why.
	if err := os.RemoveAll(seeds); err != nil {
		t.Fatal(err)
	}
	d.waitFor(t, "an unhealthy /healthz", func() bool {
		resp, body := d.get(t, "/healthz")
		return resp.StatusCode == 503 && strings.Contains(string(body), "seeds folder")
	})
	os.Mkdir(seeds, 0o755)
	d.waitFor(t, "a healthy /healthz again", func() bool {
		resp, _ := d.get(t, "/healthz")
		return resp.StatusCode == 200
	})
}

func TestLogFormats(t *testing.T) {
	seeds := copySeeds(t)
	d := startDaemon(t, seeds, filepath.Join(t.TempDir(), "j.db"), "-log-format", "json", "-log-level", "debug")
	os.WriteFile(filepath.Join(seeds, "x.txt"), []byte("س"), 0o644)
	d.waitFor(t, "x.txt published", func() bool { return strings.Contains(d.log.String(), `"path":"x.txt"`) })
	for line := range strings.Lines(d.log.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec["msg"] == nil || rec["level"] == nil {
			t.Errorf("not a JSON log record: %q", line)
		}
	}
	if !strings.Contains(d.log.String(), `"level":"DEBUG"`) {
		t.Error("-log-level debug logged no debug line")
	}

	// At warn level nothing is logged while all is well, not even the
	// start: wait for the feed on a port picked beforehand.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	quiet := startProcess(t, "-seeds", copySeeds(t), "-db", filepath.Join(t.TempDir(), "q.db"), "-addr", addr, "-log-level", "warn")
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/feed.atom")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the quiet daemon did not serve: %v\n%s", err, quiet.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	quiet.cmd.Process.Signal(syscall.SIGTERM)
	quiet.cmd.Wait()
	if out := quiet.out.String(); out != "" {
		t.Errorf("-log-level warn logged while all was well:\n%s", out)
	}
}

// TestSignals sends signals to a real daemon process.
func TestSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			seeds, db := copySeeds(t), filepath.Join(t.TempDir(), "sig.db")
			p := startProcess(t, "-seeds", seeds, "-db", db, "-addr", "127.0.0.1:0")
			if !p.waitLog(t, "msg=listening", 10*time.Second) {
				t.Fatalf("no start:\n%s", p.out)
			}
			if sig == syscall.SIGTERM {
				// SIGHUP first: a rescan, and the daemon goes on.
				p.cmd.Process.Signal(syscall.SIGHUP)
				if !p.waitLog(t, "reason=requested", 10*time.Second) {
					t.Fatalf("SIGHUP did not rescan:\n%s", p.out)
				}
			}
			p.cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- p.cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("after %v the daemon exited with %v:\n%s", sig, err, p.out)
				}
			case <-time.After(15 * time.Second):
				t.Fatalf("the daemon did not stop on %v", sig)
			}
			for _, want := range []string{"shutting down", "stopped"} {
				if !strings.Contains(p.out.String(), want) {
					t.Errorf("no %q in the log:\n%s", want, p.out)
				}
			}
			// The database was closed: it opens at once, and the control
			// socket is gone.
			s, err := storage.Open(db, storage.Options{LockTimeout: 100 * time.Millisecond})
			if err != nil {
				t.Fatalf("the database is still held: %v", err)
			}
			s.Close()
			if _, err := os.Stat(socketPath(db)); err == nil {
				t.Error("the control socket is left behind")
			}
		})
	}
}

// bigSeeds writes articles large enough that a feed of them (about 5 MB)
// cannot fit in the sockets' buffers: a reader that stops reading keeps
// the request in flight. Their paragraphs are short, so that the index
// page (first paragraphs only) stays small and start-up stays quick.
func bigSeeds(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	body := strings.Repeat("فقرة من مقال كبير، قصيرة ومكررة.\n", 2000) // about 100 KB
	for i := range 50 {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("big%02d.txt", i)), []byte("عنوان كبير\n"+body), 0o644)
	}
	return dir
}

// slowRequest opens a connection, asks for /feed.atom and reads only the
// status line, leaving the body in flight.
func slowRequest(t *testing.T, addr string) (net.Conn, *strings.Builder) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET /feed.atom HTTP/1.1\r\nHost: x\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n")
	head := make([]byte, 12)
	if _, err := io.ReadFull(c, head); err != nil || !strings.HasPrefix(string(head), "HTTP/1.1 200") {
		t.Fatalf("status line %q, %v", head, err)
	}
	return c, &strings.Builder{}
}

func TestShutdownLetsRequestsFinish(t *testing.T) {
	seeds, db := bigSeeds(t), filepath.Join(t.TempDir(), "big.db")
	p := startProcess(t, "-seeds", seeds, "-db", db, "-addr", "127.0.0.1:0", "-max-size", "2MiB")
	if !p.waitLog(t, "msg=listening", 2*time.Minute) {
		t.Fatalf("no start:\n%s", p.out)
	}
	addr := regexpAddr(t, p.out.String())
	c, _ := slowRequest(t, addr)
	defer c.Close()
	p.cmd.Process.Signal(syscall.SIGTERM)
	if !p.waitLog(t, "shutting down", 5*time.Second) {
		t.Fatal("no shutdown")
	}
	// New connections are refused while the one in flight goes on.
	time.Sleep(200 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("a new connection was accepted during the shutdown")
	}
	rest, err := io.ReadAll(c)
	if err != nil || len(rest) < 5<<20 || !bytes.HasSuffix(rest, []byte("</feed>\n")) {
		t.Errorf("the request in flight got %d bytes (%v), not the whole feed", len(rest), err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("exit: %v\n%s", err, p.out)
	}
}

func TestShutdownTimeout(t *testing.T) {
	seeds, db := bigSeeds(t), filepath.Join(t.TempDir(), "big.db")
	p := startProcess(t, "-seeds", seeds, "-db", db, "-addr", "127.0.0.1:0", "-max-size", "2MiB", "-shutdown-timeout", "1s")
	if !p.waitLog(t, "msg=listening", 2*time.Minute) {
		t.Fatalf("no start:\n%s", p.out)
	}
	c, _ := slowRequest(t, regexpAddr(t, p.out.String()))
	defer c.Close() // never read: the request cannot finish
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	err := p.cmd.Wait()
	if took := time.Since(start); err != nil || took > 5*time.Second {
		t.Errorf("exit %v after %v, want 0 soon after the 1s timeout:\n%s", err, took, p.out)
	}
	if !strings.Contains(p.out.String(), "still in flight") {
		t.Errorf("the log does not say requests were cut:\n%s", p.out)
	}
}

func regexpAddr(t *testing.T, log string) string {
	t.Helper()
	m := listenRE.FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no listening address in:\n%s", log)
	}
	return m[1]
}

// TestReadiness gives the daemon a notify socket, as systemd does for
// Type=notify, and checks that READY=1 comes once it serves and
// STOPPING=1 at shutdown.
func TestReadiness(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	seeds := t.TempDir()
	const n = 300 // a scan long enough for a premature READY=1 to show
	writeImport(t, seeds, n)
	p := &process{cmd: exec.Command(os.Args[0], "-seeds", seeds, "-db", filepath.Join(t.TempDir(), "n.db"), "-addr", "127.0.0.1:0"), out: &syncBuffer{}}
	p.cmd.Env = append(os.Environ(), "SEEDFEED_RUN_MAIN=1", "NOTIFY_SOCKET="+sock)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer p.cmd.Process.Kill()
	read := func() string {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 256)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no notification: %v\n%s", err, p.out)
		}
		return string(buf[:n])
	}
	if msg := read(); msg != "READY=1" {
		t.Fatalf("first notification %q, want READY=1", msg)
	}
	// Freeze the daemon the moment it says it is ready: what it logged by
	// then must hold the whole scan and the listening line.
	p.cmd.Process.Signal(syscall.SIGSTOP)
	for prev := -1; prev != len(p.out.String()); { // the pipe drains
		prev = len(p.out.String())
		time.Sleep(200 * time.Millisecond)
	}
	log := p.out.String()
	if got := strings.Count(log, "article published"); got != n || !strings.Contains(log, "msg=listening") {
		t.Errorf("at READY=1, %d of %d articles published; listening logged: %v", got, n, strings.Contains(log, "msg=listening"))
	}
	p.cmd.Process.Signal(syscall.SIGCONT)
	// Ready means serving and healthy, from the first request.
	resp, err := http.Get("http://" + regexpAddr(t, log) + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), fmt.Sprintf(`"articles":%d`, n)) {
		t.Fatalf("after READY=1, GET /healthz = %d %s", resp.StatusCode, body)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if msg := read(); msg != "STOPPING=1" {
		t.Errorf("at shutdown %q, want STOPPING=1", msg)
	}
	p.cmd.Wait()
}
