package main

import (
	"bufio"
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
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"

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
			// At debug level: a rescan that finds nothing says so there.
			p := startProcess(t, command("-seeds", seeds, "-db", db, "-addr", "127.0.0.1:0", "-log-level", "debug"))
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

// notifySocket is a datagram socket where a daemon started with
// NOTIFY_SOCKET=path tells what systemd would hear.
type notifySocket struct {
	path string
	conn *net.UnixConn
}

func newNotifySocket(t *testing.T) *notifySocket {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &notifySocket{path, conn}
}

// read returns the next notification, or "" if none comes within limit.
func (n *notifySocket) read(t *testing.T, limit time.Duration) string {
	t.Helper()
	n.conn.SetReadDeadline(time.Now().Add(limit))
	buf := make([]byte, 1024)
	k, err := n.conn.Read(buf)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:k])
}

// next returns the next notification other than WATCHDOG=1, failing the
// test if none comes within eventLimit; it counts the pings it passes.
func (n *notifySocket) next(t *testing.T, pings *int, log fmt.Stringer) string {
	t.Helper()
	deadline := time.Now().Add(eventLimit)
	for time.Now().Before(deadline) {
		msg := n.read(t, time.Until(deadline))
		if msg != "WATCHDOG=1" {
			if msg == "" {
				break
			}
			return msg
		}
		*pings++
	}
	t.Fatalf("no notification within %v:\n%s", eventLimit, log)
	return ""
}

// TestReadiness gives the daemon a notify socket, as systemd does for
// Type=notify, and checks that READY=1 comes once it serves, with the
// article count, and STOPPING=1 at shutdown.
func TestReadiness(t *testing.T) {
	sock := newNotifySocket(t)
	seeds := t.TempDir()
	const n = 300 // a scan long enough for a premature READY=1 to show
	writeImport(t, seeds, n)
	cmd := command("-seeds", seeds, "-db", filepath.Join(t.TempDir(), "n.db"), "-addr", "127.0.0.1:0")
	cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+sock.path)
	p := startProcess(t, cmd)
	pings := 0
	msg := sock.next(t, &pings, p.out)
	for strings.HasPrefix(msg, "STATUS=importing") {
		msg = sock.next(t, &pings, p.out)
	}
	if want := fmt.Sprintf("READY=1\nSTATUS=serving %d articles", n); msg != want {
		t.Fatalf("notification %q, want %q", msg, want)
	}
	// Freeze the daemon the moment it says it is ready: what it logged by
	// then must hold the whole scan and the listening line. It wrote them
	// before READY=1, so they come out of the pipe though it is frozen;
	// a listening line written after READY=1 would never come.
	p.cmd.Process.Signal(syscall.SIGSTOP)
	seedtest.WaitFor(t, eventLimit, "the listening line, logged before READY=1", p.out, p.logged("msg=listening"))
	log := p.out.String()
	if !strings.Contains(log, fmt.Sprintf(`msg="start-up scan done" published=%d `, n)) || !strings.Contains(log, "msg=listening") {
		t.Errorf("at READY=1, the scan's summary (%d published) and the listening line are not both logged:\n%s", n, log)
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
	if msg := sock.next(t, &pings, p.out); msg != "STOPPING=1" {
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
	// New connections are refused while the one in flight goes on: the
	// listener closes as the shutdown begins.
	seedtest.WaitFor(t, 5*time.Second, "new connections refused during the shutdown", p.out, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
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
		"ProtectSystem=strict", "ProtectHome=yes", "NoNewPrivileges=yes", "CapabilityBoundingSet=\n", "EnvironmentFile=",
		"WatchdogSec=", "ExecReload=/bin/kill -HUP $MAINPID"} {
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

// watchdogCommand is the seedfeed command with args under a watchdog of
// period wd, as systemd starts it with WatchdogSec=: WATCHDOG_USEC, and
// WATCHDOG_PID naming the process itself (a shell that execs it), with
// notifications to sock.
func watchdogCommand(sock *notifySocket, wd time.Duration, args ...string) *exec.Cmd {
	cmd := command(args...)
	cmd.Args = append([]string{"/bin/sh", "-c", `WATCHDOG_PID=$$ exec "$0" "$@"`, cmd.Path}, args...)
	cmd.Path = "/bin/sh"
	cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+sock.path, fmt.Sprintf("WATCHDOG_USEC=%d", wd.Microseconds()))
	return cmd
}

// TestImportNotifications imports a folder under systemd with a short
// watchdog, which shortens the progress period to a third of it: systemd
// hears the progress with a longer start timeout, and watchdog pings,
// until READY=1 with the article count; pings go on after it. The log has
// the progress at info, one summary line, and no line per article; once
// running, each publication has its line again.
func TestImportNotifications(t *testing.T) {
	sock := newNotifySocket(t)
	seeds := t.TempDir()
	const n = 5000 // some 200 ms of work here: several progress periods
	writeImport(t, seeds, n)
	const wd = 60 * time.Millisecond // progress each 20 ms
	p := startProcess(t, watchdogCommand(sock, wd, "-seeds", seeds, "-db", filepath.Join(t.TempDir(), "w.db"), "-addr", "127.0.0.1:0"))
	pings, progress := 0, 0
	msg := sock.next(t, &pings, p.out)
	statusRE := regexp.MustCompile(`^STATUS=importing the seeds folder: (\d+) of (\d+) files, \d+ a second\nEXTEND_TIMEOUT_USEC=10000000$`)
	for ; strings.HasPrefix(msg, "STATUS=importing"); msg = sock.next(t, &pings, p.out) {
		m := statusRE.FindStringSubmatch(msg)
		// During the walk, the files found so far; then all of them.
		var done, found int
		if m != nil {
			done, _ = strconv.Atoi(m[1])
			found, _ = strconv.Atoi(m[2])
		}
		if m == nil || done > found || found > n {
			t.Fatalf("progress notification %q, want %q, of at most %d files", msg, statusRE, n)
		}
		if progress == 0 {
			t.Logf("first progress notification: %q", msg)
		}
		progress++
	}
	if want := fmt.Sprintf("READY=1\nSTATUS=serving %d articles", n); msg != want {
		t.Fatalf("notification %q, want %q", msg, want)
	}
	t.Logf("before READY=1: %d progress notifications, %d watchdog pings", progress, pings)
	if progress == 0 || pings == 0 {
		t.Errorf("before READY=1: %d progress notifications, %d watchdog pings; want some of each\n%s", progress, pings, p.out)
	}
	for range 3 {
		if msg := sock.read(t, eventLimit); msg != "WATCHDOG=1" {
			t.Fatalf("running, idle: notification %q, want WATCHDOG=1\n%s", msg, p.out)
		}
	}
	log := p.out.String()
	if k := strings.Count(log, "article published"); k != 0 {
		t.Errorf("the import logged %d articles at info, want none", k)
	}
	progressRE := regexp.MustCompile(`level=INFO msg="importing the seeds folder" files_done=\d+ files_found=\d+ per_second=\d+\n`)
	lines := progressRE.FindAllString(log, -1)
	if len(lines) == 0 || !strings.Contains(log, `msg="start-up scan done" published=5000 restored=0 updated=0 moved=0 removed=0 refused=0 files=5000 seconds=`) {
		t.Errorf("no progress line, or no summary, in the log:\n%s", log)
	} else {
		t.Logf("%d progress lines; the first: %s", len(lines), lines[0])
	}
	os.WriteFile(filepath.Join(seeds, "live.txt"), []byte("خبر عاجل\nفقرة"), 0o644)
	seedtest.WaitFor(t, eventLimit, "the live publication's line", p.out, p.logged(`level=INFO msg="article published" path=live.txt`))
	if msg := sock.next(t, &pings, p.out); msg != fmt.Sprintf("STATUS=serving %d articles", n+1) {
		t.Errorf("after a publication: %q, want the new count", msg)
	}
}

// monotonicNow is CLOCK_MONOTONIC now in microseconds.
func monotonicNow(t *testing.T) int64 {
	t.Helper()
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		t.Fatal(err)
	}
	return ts.Nano() / 1e3
}

// TestReload sends SIGHUP as `systemctl reload` does: systemd hears
// RELOADING=1 with the monotonic clock of the moment, then READY=1 once
// the rescan is done (its line is logged by then), and again on a rescan
// that fails, which STATUS= says.
func TestReload(t *testing.T) {
	sock := newNotifySocket(t)
	seeds := copySeeds(t)
	cmd := command("-seeds", seeds, "-db", filepath.Join(t.TempDir(), "r.db"), "-addr", "127.0.0.1:0", "-log-level", "debug")
	cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+sock.path)
	p := startProcess(t, cmd)
	pings := 0
	if msg := sock.next(t, &pings, p.out); !strings.HasPrefix(msg, "READY=1\n") {
		t.Fatalf("notification %q, want READY=1", msg)
	}
	before := monotonicNow(t)
	p.cmd.Process.Signal(syscall.SIGHUP)
	msg := sock.next(t, &pings, p.out)
	after := monotonicNow(t)
	var usec int64
	if _, err := fmt.Sscanf(msg, "RELOADING=1\nMONOTONIC_USEC=%d", &usec); err != nil || usec < before || usec > after {
		t.Fatalf("on SIGHUP %q, want RELOADING=1 and MONOTONIC_USEC= between %d and %d", msg, before, after)
	}
	msg = sock.next(t, &pings, p.out)
	// Frozen at READY=1: the rescan's line was logged before it.
	p.cmd.Process.Signal(syscall.SIGSTOP)
	seedtest.WaitFor(t, eventLimit, "the rescan's line, logged before READY=1", p.out, p.logged(`msg="rescan done" reason=requested`))
	p.cmd.Process.Signal(syscall.SIGCONT)
	if !strings.HasPrefix(msg, "READY=1\nSTATUS=serving ") {
		t.Errorf("after the rescan %q, want READY=1 and the count", msg)
	}
	t.Logf("reload: %q, then %q", fmt.Sprintf("RELOADING=1\nMONOTONIC_USEC=%d", usec), msg)

	// The seeds folder gone, a reload fails, and says why.
	if err := os.Rename(seeds, seeds+".away"); err != nil {
		t.Fatal(err)
	}
	seedtest.WaitFor(t, eventLimit, "the folder missed", p.out, p.logged("seeds folder is gone"))
	p.cmd.Process.Signal(syscall.SIGHUP)
	if msg := sock.next(t, &pings, p.out); !strings.HasPrefix(msg, "RELOADING=1\n") {
		t.Fatalf("on SIGHUP %q, want RELOADING=1", msg)
	}
	msg = sock.next(t, &pings, p.out)
	if !strings.HasPrefix(msg, "READY=1\nSTATUS=rescan failed: ") || !strings.Contains(msg, "is gone") {
		t.Errorf("after a failed rescan %q, want READY=1 and the failure", msg)
	}
	t.Logf("failed reload: %q", msg)
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
}

// TestWatchdog runs the daemon under a watchdog, its log on a pipe (see
// import_test.go): it pings while it works; once its watcher is stuck,
// blocked on a log that nobody reads (as when the journal stops reading),
// it stops; once the log is read again, it pings again.
func TestWatchdog(t *testing.T) {
	sock := newNotifySocket(t)
	seeds := copySeeds(t)
	const wd = 600 * time.Millisecond
	cmd := watchdogCommand(sock, wd, "-seeds", seeds, "-db", filepath.Join(t.TempDir(), "wd.db"), "-addr", "127.0.0.1:0", "-settle", "50ms")
	p := &piped{cmd: cmd, out: &seedtest.LogBuffer{}}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if err := setPipeSize(r, os.Getpagesize()); err != nil {
		t.Fatal(err)
	}
	p.r = bufio.NewReaderSize(r, readBuffer)
	start(t, cmd, w)
	w.Close()
	p.readLines(t, 1000) // up to the listening line
	for range 3 {
		if msg := sock.read(t, eventLimit); msg != "WATCHDOG=1" && !strings.HasPrefix(msg, "READY=1") {
			t.Fatalf("running: %q, want WATCHDOG=1", msg)
		}
	}
	// A line each, many pages of them: the watcher blocks on its log.
	for i := range 300 {
		os.WriteFile(filepath.Join(seeds, fmt.Sprintf("live%03d.txt", i)), []byte("خبر\nفقرة"), 0o644)
	}
	// The pings stop: a silence of twice the period comes (pings sent
	// before the watcher stuck are read first).
	deadline := time.Now().Add(eventLimit)
	for {
		msg := sock.read(t, 2*wd)
		if msg == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pings went on, last %q, while the watcher was stuck", msg)
		}
	}
	go p.drain()
	deadline = time.Now().Add(eventLimit)
	for msg := ""; msg != "WATCHDOG=1"; msg = sock.read(t, time.Until(deadline)) {
		if time.Now().After(deadline) {
			t.Fatalf("no ping once the log was read again:\n%s", p.out)
		}
	}
	seedtest.WaitFor(t, eventLimit, "the warning, logged once the log moves", p.out, func() bool {
		return strings.Contains(p.out.String(), `msg="no watchdog ping: the daemon does not answer"`)
	})
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
}
