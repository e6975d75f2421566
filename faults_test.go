package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seedfeed/seedfeed/storage"
)

// process is the seedfeed command running in a process of its own: this
// test binary, run as the command (see TestMain).
type process struct {
	cmd *exec.Cmd
	out *syncBuffer
}

func startProcess(t *testing.T, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(os.Args[0], args...), out: &syncBuffer{}}
	p.cmd.Env = append(os.Environ(), "SEEDFEED_RUN_MAIN=1")
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	return p
}

// waitLog waits for a line holding want, or for the process to end.
func (p *process) waitLog(t *testing.T, want string, limit time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !strings.Contains(p.out.String(), want) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// identity is what a reader must see unchanged: the entry's key (its id)
// and published date.
type identity struct {
	key       string
	published time.Time
}

// inspect checks the database with bbolt's own consistency check, then
// returns the identity of every stored article by path.
func inspect(t *testing.T, db string) map[string]identity {
	t.Helper()
	bdb, err := bolt.Open(db, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("open %s read-only: %v", db, err)
	}
	err = bdb.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("bbolt check: %v", err)
		}
		return nil
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err := storage.Open(db, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	items, err := s.Newest(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	files, err := s.Fingerprints()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(items) {
		t.Errorf("%d files but %d articles stored", len(files), len(items))
	}
	m := make(map[string]identity, len(items))
	for _, it := range items {
		if _, dup := m[it.Path]; dup {
			t.Errorf("%s stored twice", it.Path)
		}
		m[it.Path] = identity{it.Key, it.Published}
	}
	return m
}

// TestKillDuringImport kills the daemon with SIGKILL at random moments of
// a 5,000-file import, then lets it finish: every file is published once,
// no id or published date changes, and bbolt finds the file consistent.
func TestKillDuringImport(t *testing.T) {
	db, args := importFolder(t)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed))
	t.Logf("random seed %d", seed)

	known := map[string]identity{}
	kills, stored := 0, 0
	for kills < 8 {
		p := startProcess(t, args...)
		// An import here stores a few thousand files a second: short
		// random delays land kills all along it.
		time.Sleep(time.Duration(20+rng.IntN(400)) * time.Millisecond)
		finished := strings.Contains(p.out.String(), "msg=listening")
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
		if finished {
			break // the import ended before the kill; what follows checks it
		}
		kills++
		if _, err := os.Stat(db); errors.Is(err, fs.ErrNotExist) {
			t.Logf("kill %d: before the database was created", kills)
			continue
		}
		got := inspect(t, db)
		for path, id := range got {
			if prev, ok := known[path]; ok && prev != id {
				t.Errorf("after kill %d, %s changed identity: %v → %v", kills, path, prev, id)
			}
			known[path] = id
		}
		t.Logf("kill %d: %d of %d files stored", kills, len(got), importSize)
		stored = len(got)
	}
	if kills == 0 || stored == importSize {
		t.Fatalf("no kill landed during the import (%d kills, %d stored)", kills, stored)
	}
	got := finishImport(t, db, args, known)
	t.Logf("%d kills, %d files, each published once", kills, len(got))
}

// importBase is the modification time of writeImport's first file, and
// importSize the number of files importFolder writes.
var importBase = time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)

const importSize = 5000

// importFolder writes importSize articles into a new seeds folder and
// returns a new database's path and the daemon's arguments for both.
func importFolder(t *testing.T) (db string, args []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("imports 5,000 files several times; run without -short")
	}
	seeds, db := t.TempDir(), filepath.Join(t.TempDir(), "import.db")
	writeImport(t, seeds, importSize)
	return db, []string{"-seeds", seeds, "-db", db, "-addr", "127.0.0.1:0"}
}

// finishImport runs the daemon until it serves, stops it, and checks the
// whole import (see checkImport).
func finishImport(t *testing.T, db string, args []string, known map[string]identity) map[string]identity {
	t.Helper()
	p := startProcess(t, args...)
	if !p.waitLog(t, "msg=listening", time.Minute) {
		t.Fatalf("the last run did not finish the import:\n%s", p.out)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("the last run ended with %v", err)
	}
	return checkImport(t, db, importSize, known)
}

// writeImport writes n articles into seeds, a minute apart from importBase.
func writeImport(t *testing.T, seeds string, n int) {
	t.Helper()
	for i := range n {
		p := filepath.Join(seeds, fmt.Sprintf("%04d.txt", i))
		body := fmt.Sprintf("عنوان رقم %d\n%s\n", i, strings.Repeat("فقرة من المقال. ", 40))
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		at := importBase.Add(time.Duration(i) * time.Minute)
		os.Chtimes(p, at, at)
	}
}

// checkImport checks that db holds writeImport's n articles, each once,
// with its own key and published date, and none changed from known.
func checkImport(t *testing.T, db string, n int, known map[string]identity) map[string]identity {
	t.Helper()
	got := inspect(t, db)
	if len(got) != n {
		t.Errorf("%d of %d files published", len(got), n)
	}
	for path, id := range got {
		if prev, ok := known[path]; ok && prev != id {
			t.Errorf("%s changed identity: %v → %v", path, prev, id)
		}
		var i int
		fmt.Sscanf(path, "%04d.txt", &i)
		want := identity{strings.TrimSuffix(path, ".txt"), importBase.Add(time.Duration(i) * time.Minute)}
		if !id.published.Equal(want.published) || id.key != want.key {
			t.Errorf("%s: key %q published %v, want %q %v", path, id.key, id.published, want.key, want.published)
		}
	}
	return got
}

// TestStopDuringImport sends SIGTERM while the start-up scan imports a
// large folder: the daemon stops at once and cleanly (exit 0, never ready,
// never serving), and the next start imports the rest, each file once.
func TestStopDuringImport(t *testing.T) {
	db, args := importFolder(t)
	landed := 0
	for try := 0; try < 6 && landed < 3; try++ {
		p := startProcess(t, args...)
		time.Sleep(time.Duration(50+try*60) * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- p.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("SIGTERM during the import: %v\n%s", err, p.out)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("SIGTERM during the import: still running after 5 s\n%s", p.out)
		}
		if strings.Contains(p.out.String(), "stopped during the start-up scan") {
			landed++
			if strings.Contains(p.out.String(), "msg=listening") {
				t.Errorf("stopped during the scan, yet said it was listening:\n%s", p.out)
			}
		}
	}
	if landed == 0 {
		t.Fatal("no SIGTERM landed during the import: the test proves nothing")
	}
	finishImport(t, db, args, nil)
	t.Logf("%d stops during the import, then %d files, each published once", landed, importSize)
}

// TestProcessStartupFailures runs the command against a database held by
// another process and against files that are not seedfeed databases.
func TestProcessStartupFailures(t *testing.T) {
	seeds := copySeeds(t)
	held := filepath.Join(t.TempDir(), "held.db")
	first := startProcess(t, "-seeds", seeds, "-db", held, "-addr", "127.0.0.1:0")
	if !first.waitLog(t, "msg=listening", 10*time.Second) {
		t.Fatalf("the first daemon did not start:\n%s", first.out)
	}

	text := filepath.Join(t.TempDir(), "notes.db")
	os.WriteFile(text, bytes.Repeat([]byte("هذا ليس قاعدة بيانات\n"), 500), 0o644)
	foreign := filepath.Join(t.TempDir(), "other.db")
	bdb, err := bolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	bdb.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("users")); return err })
	bdb.Close()

	for _, tc := range []struct{ name, db, want string }{
		{"second instance", held, "database is locked by another process"},
		{"text file", text, "not a seedfeed database"},
		{"another program's bbolt file", foreign, "not a seedfeed database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadFile(tc.db)
			start := time.Now()
			cmd := exec.Command(os.Args[0], "-seeds", seeds, "-db", tc.db, "-addr", "127.0.0.1:0")
			cmd.Env = append(os.Environ(), "SEEDFEED_RUN_MAIN=1")
			out, err := cmd.CombinedOutput()
			took := time.Since(start)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() == 0 {
				t.Errorf("exit = %v, want a non-zero code", err)
			}
			if !strings.Contains(string(out), tc.want) || strings.Contains(string(out), "panic") {
				t.Errorf("output:\n%s\nwant it to say %q", out, tc.want)
			}
			if took > 2*time.Second {
				t.Errorf("took %v to give up, want under 2s", took)
			}
			if tc.db != held {
				if after, _ := os.ReadFile(tc.db); !bytes.Equal(before, after) {
					t.Error("the file was changed")
				}
			}
		})
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
	}
	if resp, _ := d.get(t, "/feed.atom"); resp.StatusCode != 200 {
		t.Errorf("after the hostile requests, /feed.atom = %d", resp.StatusCode)
	}
}

// TestSlowClients holds many connections open, sending headers a byte at
// a time: other clients are served meanwhile, and the server drops the
// slow ones after its read-header timeout.
// TestIdleClientsCannotLockOut: clients that take every connection the
// process can hold and idle on keep-alive must not lock others out, nor
// take the file descriptors the watcher needs: with a limit of 256
// descriptors and 300 idle clients, a new client is served and a dropped
// file is published, each within seconds.
func TestIdleClientsCannotLockOut(t *testing.T) {
	seeds := copySeeds(t)
	p := &process{cmd: exec.Command(os.Args[0], "-seeds", seeds, "-db", filepath.Join(t.TempDir(), "idle.db"), "-addr", "127.0.0.1:0"), out: &syncBuffer{}}
	p.cmd.Env = append(os.Environ(), "SEEDFEED_RUN_MAIN=1", "SEEDFEED_TEST_NOFILE=256")
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { p.cmd.Process.Kill(); p.cmd.Wait() }()
	if !p.waitLog(t, "msg=listening", 10*time.Second) {
		t.Fatalf("the daemon did not start:\n%s", p.out)
	}
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
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := client.Get("http://" + addr + "/feed.json")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), "خبر أثناء الازدحام") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("beside %d idle clients, a dropped file is not published (%v):\n%s", idle, err, p.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.Contains(p.out.String(), "too many open files") {
		t.Errorf("the daemon ran out of file descriptors:\n%s", p.out)
	}
}

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
