package main

// Stopping and killing the daemon during its first import, the longest
// thing it does: nothing stored may be lost, doubled or changed.
//
// These tests pace the daemon by its own log rather than by the clock.
// It logs a line for each article it stores, and its log goes to a pipe
// of one page that the test reads line by line: a process writing to a
// full pipe waits, so the daemon is never more than the pipe and the
// test's read buffer ahead of the line the test has read, a few dozen
// lines. Stopping at line k of thousands is stopping during the import,
// whatever the machine's speed.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seedfeed/seedfeed/seedtest"
)

// TestKillDuringImport kills the daemon with SIGKILL at random moments of
// a 5,000-file import, then lets it finish: every file is published once,
// no id or published date changes, and bbolt finds the file consistent.
func TestKillDuringImport(t *testing.T) {
	db, args := importFolder(t)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed))
	t.Logf("random seed %d", seed)

	// Kills at up to line 600: while the daemon logs a batch it stored,
	// or while it reads or stores the next one.
	const maxLine = 600
	// A run killed at line k has stored at most k articles, those whose
	// lines fill the pipe and the read buffer, and the rest of the batch
	// it was logging (the watcher stores 512 in one transaction). Kills
	// stop before a run could reach the end of the import.
	maxRun := maxLine + (os.Getpagesize()+readBuffer)/minLine + 512
	known := map[string]identity{}
	kills, stored := 0, 0
	for kills < 8 && stored+maxRun < importSize {
		p := startPiped(t, args...)
		p.readLines(t, 1+rng.IntN(maxLine))
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
		p.drain()
		if strings.Contains(p.out.String(), "msg=listening") {
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

// TestStopDuringImport sends SIGTERM while the start-up scan imports a
// large folder: the daemon stops at once and cleanly (exit 0, never ready,
// never serving), and the next start imports the rest, each file once.
func TestStopDuringImport(t *testing.T) {
	db, args := importFolder(t)
	landed := 0
	for try := 0; try < 6 && landed < 3; try++ {
		p := startPiped(t, args...)
		// Any line means the signal handler is in place: main installs it
		// before run logs anything. The daemon is then held within a few
		// dozen lines of the reader, thousands of articles from the end
		// of its import, which it leaves once it has stored the files at
		// hand. Each try stops further along.
		p.readLines(t, 1+try*100)
		p.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() {
			p.drain() // the daemon logs as it stops
			done <- p.cmd.Wait()
		}()
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

const (
	// readBuffer is the size of the test's buffer on a piped log.
	readBuffer = 4096
	// minLine is less than the bytes of any line the daemon logs for an
	// article it stores (its time and message alone take more).
	minLine = 64
)

// piped is the seedfeed command in a process of its own, with its log
// on a pipe that the test reads line by line (see the top of this file).
type piped struct {
	cmd *exec.Cmd
	r   *bufio.Reader
	out *seedtest.LogBuffer // the lines read so far
}

// startPiped starts the command with args, its output on a pipe of one
// page, the least Linux allows, and kills it at the end of the test if it
// still runs then.
func startPiped(t *testing.T, args ...string) *piped {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	defer w.Close() // the process has its own; the log ends when it exits
	if err := setPipeSize(r, os.Getpagesize()); err != nil {
		t.Fatalf("the log pipe: %v", err)
	}
	p := &piped{cmd: command(args...), r: bufio.NewReaderSize(r, readBuffer), out: &seedtest.LogBuffer{}}
	start(t, p.cmd, w)
	return p
}

// setPipeSize sets the capacity of the pipe f is an end of, and checks
// that the kernel took it as it is.
func setPipeSize(f *os.File, size int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	got, ferr := 0, error(nil)
	if err := rc.Control(func(fd uintptr) { got, ferr = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, size) }); err != nil {
		return err
	}
	if ferr == nil && got != size {
		ferr = fmt.Errorf("a pipe of %d bytes, not %d", got, size)
	}
	return ferr
}

// readLines reads the next n lines of the log, or fewer if the daemon
// says it listens first: its import is over then, and it logs no more.
// The test fails if the log ends before.
func (p *piped) readLines(t *testing.T, n int) {
	t.Helper()
	for range n {
		line, err := p.r.ReadString('\n')
		p.out.Write([]byte(line))
		if err != nil {
			t.Fatalf("the log ended (%v) before line %d:\n%s", err, n, p.out)
		}
		if strings.Contains(line, "msg=listening") {
			return
		}
	}
}

// drain reads the rest of the log, to its end when the process exits.
func (p *piped) drain() {
	// A read error ends the log as its end does; what was read is kept.
	_, _ = io.Copy(p.out, p.r)
}

// importSize is the number of files importFolder writes.
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
	// At debug level, should the lines of an import ever become debug lines.
	return db, []string{"-seeds", seeds, "-db", db, "-addr", "127.0.0.1:0", "-log-level", "debug"}
}

// finishImport runs the daemon until it serves, stops it, and checks the
// whole import (see checkImport).
func finishImport(t *testing.T, db string, args []string, known map[string]identity) map[string]identity {
	t.Helper()
	p := startProcess(t, command(args...))
	seedtest.WaitFor(t, time.Minute, "the last run to finish the import", p.out, p.logged("msg=listening"))
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("the last run ended with %v", err)
	}
	return checkImport(t, db, importSize, known)
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

// TestHealthDuringImport holds the daemon in its import by its log (see
// the top of this file): meanwhile the port answers, /healthz with 503
// and the progress, the feeds with 503 and Retry-After, /metrics as ever;
// once the import is done, all is served.
func TestHealthDuringImport(t *testing.T) {
	_, args := importFolder(t)
	p := startPiped(t, args...)
	addrRE := regexp.MustCompile(`msg="importing the seeds folder; /healthz answers meanwhile" .*addr=(127\.0\.0\.1:\d+)`)
	var addr string
	for addr == "" {
		if strings.Contains(p.out.String(), "msg=listening") {
			t.Fatalf("ready before the import was said to be under way:\n%s", p.out)
		}
		p.readLines(t, 1)
		if m := addrRE.FindStringSubmatch(p.out.String()); m != nil {
			addr = m[1]
		}
	}
	for !strings.Contains(p.out.String(), "article published") {
		if strings.Contains(p.out.String(), "msg=listening") {
			t.Fatal("the import was over before the requests: the test proves nothing")
		}
		p.readLines(t, 1)
	}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(body)
	}
	resp, body := get("/healthz")
	var h struct {
		Status     string `json:"status"`
		FilesDone  *int   `json:"files_done"`
		FilesFound *int   `json:"files_found"`
	}
	if err := json.Unmarshal([]byte(body), &h); err != nil || resp.StatusCode != 503 || h.Status != "starting" ||
		h.FilesDone == nil || h.FilesFound == nil || *h.FilesDone == 0 || *h.FilesDone >= *h.FilesFound || *h.FilesFound != importSize {
		t.Errorf("during the import, GET /healthz = %d %s", resp.StatusCode, body)
	}
	t.Logf("during the import, GET /healthz = %d %s", resp.StatusCode, strings.TrimSpace(body))
	for _, path := range []string{"/", "/feed.atom", "/feed.rss", "/feed.json", "/articles/0001", "/favicon.ico"} {
		if resp, body := get(path); resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "<h1>انتظر قليلًا</h1>") {
			t.Errorf("during the import, GET %s = %d, Retry-After %q, want the Arabic HTML page: %s", path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	if resp, _ := get("/metrics"); resp.StatusCode != 200 {
		t.Errorf("during the import, GET /metrics = %d", resp.StatusCode)
	}
	if strings.Contains(p.out.String(), "msg=listening") {
		t.Fatal("the import was over before the requests: the test proves nothing")
	}
	go p.drain()
	seedtest.WaitFor(t, time.Minute, "the end of the import", p.out, func() bool { return strings.Contains(p.out.String(), "msg=listening") })
	if resp, body := get("/healthz"); resp.StatusCode != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Errorf("after the import, GET /healthz = %d %s", resp.StatusCode, body)
	}
	if resp, _ := get("/feed.atom"); resp.StatusCode != 200 {
		t.Errorf("after the import, GET /feed.atom = %d", resp.StatusCode)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
}
