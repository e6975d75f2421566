package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

	bolt "go.etcd.io/bbolt"

	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// TestSecondInstanceRefused: the second daemon on one database stops
// within seconds and says why.
func TestSecondInstanceRefused(t *testing.T) {
	seeds := copySeeds(t)
	db := filepath.Join(t.TempDir(), "shared.db")
	startDaemon(t, seeds, db)
	start := time.Now()
	err := run(context.Background(), []string{"-seeds", seeds, "-db", db, "-addr", "127.0.0.1:0"}, env(nil), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "locked by another process") {
		t.Errorf("second instance: %v, want a locked-database error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("second instance took %v to give up", d)
	}
}

// TestPortTaken: a start-up failure is an error, not a hang.
func TestPortTaken(t *testing.T) {
	seeds := copySeeds(t)
	d := startDaemon(t, seeds, filepath.Join(t.TempDir(), "a.db"))
	addr := strings.TrimPrefix(d.url, "http://")
	err := run(context.Background(), []string{"-seeds", seeds, "-db", filepath.Join(t.TempDir(), "b.db"), "-addr", addr}, env(nil), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Errorf("second daemon on %s: %v, want a listen error", addr, err)
	}
}

// TestProcessStartupFailures runs the command against a database held by
// another process and against files that are not seedfeed databases.
func TestProcessStartupFailures(t *testing.T) {
	seeds := copySeeds(t)
	held := filepath.Join(t.TempDir(), "held.db")
	first := startProcess(t, command("-seeds", seeds, "-db", held, "-addr", "127.0.0.1:0"))
	seedtest.WaitFor(t, eventLimit, "the first daemon to start", first.out, first.logged("msg=listening"))

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
			cmd := command("-seeds", seeds, "-db", tc.db, "-addr", "127.0.0.1:0")
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

// TestSignals sends signals to a real daemon process.
func TestSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			seeds, db := copySeeds(t), filepath.Join(t.TempDir(), "sig.db")
			p := startProcess(t, command("-seeds", seeds, "-db", db, "-addr", "127.0.0.1:0"))
			seedtest.WaitFor(t, eventLimit, "the start", p.out, p.logged("msg=listening"))
			if sig == syscall.SIGTERM {
				// SIGHUP first: a rescan, and the daemon goes on.
				p.cmd.Process.Signal(syscall.SIGHUP)
				seedtest.WaitFor(t, eventLimit, "the rescan SIGHUP asks for", p.out, p.logged("reason=requested"))
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

// TestLogFormats checks JSON logs at debug level, and a quiet log at warn.
func TestLogFormats(t *testing.T) {
	seeds := copySeeds(t)
	d := startDaemon(t, seeds, filepath.Join(t.TempDir(), "j.db"), "-log-format", "json", "-log-level", "debug")
	os.WriteFile(filepath.Join(seeds, "x.txt"), []byte("س"), 0o644)
	seedtest.WaitFor(t, eventLimit, "x.txt published", d.log, func() bool { return strings.Contains(d.log.String(), `"path":"x.txt"`) })
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
	quiet := startProcess(t, command("-seeds", copySeeds(t), "-db", filepath.Join(t.TempDir(), "q.db"), "-addr", addr, "-log-level", "warn"))
	served := seedtest.Poll(eventLimit, func() bool {
		var resp *http.Response
		if resp, err = http.Get("http://" + addr + "/feed.atom"); err != nil {
			return false
		}
		resp.Body.Close()
		return true
	})
	if !served {
		t.Fatalf("the quiet daemon did not serve: %v\n%s", err, quiet.out)
	}
	quiet.cmd.Process.Signal(syscall.SIGTERM)
	quiet.cmd.Wait()
	if out := quiet.out.String(); out != "" {
		t.Errorf("-log-level warn logged while all was well:\n%s", out)
	}
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
	cmd := command("-seeds", seeds, "-db", filepath.Join(t.TempDir(), "n.db"), "-addr", "127.0.0.1:0")
	cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+sock)
	p := startProcess(t, cmd)
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
	// then must hold the whole scan and the listening line. It wrote them
	// before READY=1, so they come out of the pipe though it is frozen;
	// a listening line written after READY=1 would never come.
	p.cmd.Process.Signal(syscall.SIGSTOP)
	seedtest.WaitFor(t, eventLimit, "the listening line, logged before READY=1", p.out, p.logged("msg=listening"))
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

// TestShutdownLetsRequestsFinish stops the daemon while a client reads a
// large feed slowly: new connections are refused, the one in flight gets
// the whole feed, and the daemon exits 0.
func TestShutdownLetsRequestsFinish(t *testing.T) {
	seeds, db := bigSeeds(t), filepath.Join(t.TempDir(), "big.db")
	p := startProcess(t, command("-seeds", seeds, "-db", db, "-addr", "127.0.0.1:0", "-max-size", "2MiB"))
	seedtest.WaitFor(t, 2*time.Minute, "the start", p.out, p.logged("msg=listening"))
	addr := regexpAddr(t, p.out.String())
	c, _ := slowRequest(t, addr)
	defer c.Close()
	p.cmd.Process.Signal(syscall.SIGTERM)
	seedtest.WaitFor(t, 5*time.Second, "the shutdown", p.out, p.logged("shutting down"))
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

// TestShutdownTimeout stops the daemon while a client never reads: the
// request is cut at the shutdown timeout, and the log says so.
func TestShutdownTimeout(t *testing.T) {
	seeds, db := bigSeeds(t), filepath.Join(t.TempDir(), "big.db")
	p := startProcess(t, command("-seeds", seeds, "-db", db, "-addr", "127.0.0.1:0", "-max-size", "2MiB", "-shutdown-timeout", "1s"))
	seedtest.WaitFor(t, 2*time.Minute, "the start", p.out, p.logged("msg=listening"))
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

// TestSystemdUnit checks seedfeed.service with systemd-analyze verify,
// against a freshly built binary in place of /usr/local/bin/seedfeed.
func TestSystemdUnit(t *testing.T) {
	analyze := tool(t, "systemd-analyze")
	unit, err := os.ReadFile("seedfeed.service")
	if err != nil {
		t.Fatal(err)
	}
	bin := buildCommand(t)
	if !bytes.Contains(unit, []byte("ExecStart=/usr/local/bin/seedfeed\n")) {
		t.Fatal("the unit does not run /usr/local/bin/seedfeed")
	}
	// A unit folder of its own, searched for drop-ins as systemd would.
	dir := t.TempDir()
	path := filepath.Join(dir, "seedfeed.service")
	os.WriteFile(path, bytes.Replace(unit, []byte("/usr/local/bin/seedfeed"), []byte(bin), 1), 0o644)
	verify := func() string {
		cmd := exec.Command(analyze, "verify", "--man=no", path)
		cmd.Env = append(os.Environ(), "SYSTEMD_UNIT_PATH="+dir+":")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
		return string(bytes.TrimSpace(out))
	}
	if out := verify(); out != "" {
		t.Errorf("systemd-analyze verify of the unit:\n%s", out)
	}
	for _, want := range []string{"Type=notify", "Restart=on-failure", "DynamicUser=yes", "StateDirectory=seedfeed",
		"ProtectSystem=strict", "ProtectHome=yes", "NoNewPrivileges=yes", "CapabilityBoundingSet=\n", "EnvironmentFile="} {
		if !bytes.Contains(unit, []byte(want)) {
			t.Errorf("the unit lacks %q", want)
		}
	}
	// A seeds folder named in the environment must not need the unit
	// edited: no path of the default folder is written into its sandbox.
	if bytes.Contains(unit, []byte("Paths=/srv")) {
		t.Error("the unit names the default seeds folder in a sandbox setting: moving the folder would need the unit edited")
	}
	checkDropIn(t, dir, verify)
}

// checkDropIn verifies the unit with the README's drop-in for a seeds
// folder under /home, then with a broken one, which verify must report:
// proof that it read the drop-in folder at all.
func checkDropIn(t *testing.T, dir string, verify func() string) {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	const head = "# /etc/systemd/system/seedfeed.service.d/seeds.conf\n"
	i := bytes.Index(readme, []byte(head))
	if i < 0 {
		t.Fatalf("README.md has no drop-in starting %q", head)
	}
	dropIn := readme[i : i+bytes.Index(readme[i:], []byte("```"))]
	for _, want := range []string{"SEEDFEED_SEEDS=/home/", "ProtectHome=tmpfs", "BindReadOnlyPaths=/home/"} {
		if !bytes.Contains(dropIn, []byte(want)) {
			t.Errorf("the README's drop-in lacks %q:\n%s", want, dropIn)
		}
	}
	dropDir := filepath.Join(dir, "seedfeed.service.d")
	os.Mkdir(dropDir, 0o755)
	os.WriteFile(filepath.Join(dropDir, "seeds.conf"), dropIn, 0o644)
	if out := verify(); out != "" {
		t.Errorf("systemd-analyze verify with the README's drop-in:\n%s", out)
	}
	os.WriteFile(filepath.Join(dropDir, "broken.conf"), []byte("[Service]\nProtectHome=sometimes\n"), 0o644)
	if out := verify(); !strings.Contains(out, "broken.conf") {
		t.Errorf("systemd-analyze verify did not read the drop-in folder: %q", out)
	}
}
