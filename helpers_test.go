package main

// The helpers that more than one test file uses: the daemon run in this
// process or in a process of its own, the seeds and the corpus to give it,
// and what checks its database. Each test file keeps the helpers only it
// uses; seedtest holds those that other packages' tests share.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
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
	"unicode/utf8"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/text/encoding/charmap"

	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// TestMain lets a test run this binary as the real command: with
// SEEDFEED_RUN_MAIN=1 the test binary is seedfeed.
func TestMain(m *testing.M) {
	if os.Getenv("SEEDFEED_RUN_MAIN") == "1" {
		// A lower file descriptor limit, as on a small machine (the Go
		// runtime raised the soft limit to the hard one before this).
		if n, err := strconv.ParseUint(os.Getenv("SEEDFEED_TEST_NOFILE"), 10, 64); err == nil {
			if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
				panic(err)
			}
		}
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// eventLimit bounds a wait for an event that comes within milliseconds
// when all is well: a file published, a daemon started.
const eventLimit = 10 * time.Second

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// instance is one daemon run in this test process, on 127.0.0.1:0.
type instance struct {
	url    string
	log    *seedtest.LogBuffer
	cancel context.CancelFunc
	done   chan error // what the run returned
}

// daemonArgs are the arguments of a daemon on seeds and db that listens
// on a port the system picks and reads files soon after they are written.
func daemonArgs(seeds, db string, extra ...string) []string {
	return append([]string{"-seeds", seeds, "-db", db, "-addr", "127.0.0.1:0", "-settle", "50ms"}, extra...)
}

// startDaemon builds a daemon on seeds and db as run does, runs it until
// the test ends, and returns once it listens; its URL is its Addr.
func startDaemon(t *testing.T, seeds, db string, extra ...string) *instance {
	t.Helper()
	args := daemonArgs(seeds, db, extra...)
	cfg, err := parseConfig(args, env(nil), io.Discard, io.Discard)
	if err != nil {
		t.Fatalf("parseConfig(%q) = %v", args, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{log: &seedtest.LogBuffer{}, cancel: cancel, done: make(chan error, 1)}
	d, err := newDaemon(cfg, newLogger(cfg, in.log))
	if err != nil {
		cancel()
		t.Fatalf("newDaemon = %v\n%s", err, in.log)
	}
	in.url = "http://" + d.Addr().String()
	go func() {
		err := d.Run(ctx)
		if cerr := d.Close(); err == nil {
			err = cerr
		}
		in.done <- err
	}()
	t.Cleanup(func() { in.stop(t) })
	in.waitListening(t)
	return in
}

// startRun runs the whole program, run itself, on seeds and db until the
// test ends, and returns once it listens; its URL is the one it logs.
func startRun(t *testing.T, seeds, db string, extra ...string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{log: &seedtest.LogBuffer{}, cancel: cancel, done: make(chan error, 1)}
	args := daemonArgs(seeds, db, extra...)
	go func() { in.done <- run(ctx, args, env(nil), io.Discard, in.log) }()
	t.Cleanup(func() { in.stop(t) })
	in.waitListening(t)
	in.url = "http://" + regexpAddr(t, in.log.String())
	return in
}

// waitListening waits for the daemon's "listening" line: Run logs it once
// the watcher runs, when /healthz says ok.
func (in *instance) waitListening(t *testing.T) {
	t.Helper()
	seedtest.WaitFor(t, eventLimit, "the daemon to listen", in.log, func() bool {
		select {
		case err := <-in.done:
			in.cancel, in.done = nil, nil
			t.Fatalf("the daemon returned %v before listening:\n%s", err, in.log)
		default:
		}
		return listenRE.MatchString(in.log.String())
	})
}

// stop ends the run and checks that it ended cleanly.
func (in *instance) stop(t *testing.T) {
	if in.cancel == nil {
		return
	}
	in.cancel()
	in.cancel = nil
	select {
	case err := <-in.done:
		if err != nil {
			t.Errorf("run = %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Errorf("run did not stop")
	}
}

func (in *instance) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(in.url + path)
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

// scrape fetches /metrics and parses it with Prometheus's own text parser.
func (in *instance) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	resp, body := in.get(t, "/metrics")
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

// listenRE finds the listening address in a text or JSON log.
var listenRE = regexp.MustCompile(`(?:msg=listening addr=|"msg":"listening","addr":")(127\.0\.0\.1:\d+)`)

// regexpAddr is the address a log says the daemon listens on.
func regexpAddr(t *testing.T, log string) string {
	t.Helper()
	m := listenRE.FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no listening address in:\n%s", log)
	}
	return m[1]
}

// process is the seedfeed command running in a process of its own.
type process struct {
	cmd *exec.Cmd
	out *seedtest.LogBuffer // its stdout and stderr
}

// command is the seedfeed command with args, not started: this test
// binary, run as the command (see TestMain).
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SEEDFEED_RUN_MAIN=1")
	return cmd
}

// startProcess starts cmd with its output in a buffer.
func startProcess(t *testing.T, cmd *exec.Cmd) *process {
	t.Helper()
	p := &process{cmd: cmd, out: &seedtest.LogBuffer{}}
	start(t, cmd, p.out)
	return p
}

// start starts cmd with its stdout and stderr to out, and kills it at the
// end of the test if it still runs then.
func start(t *testing.T, cmd *exec.Cmd, out io.Writer) {
	t.Helper()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
}

// logged reports whether the process has logged a line holding want.
func (p *process) logged(want string) func() bool {
	return func() bool { return strings.Contains(p.out.String(), want) }
}

// copySeeds copies the bundled seeds to a new folder.
func copySeeds(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob("seeds/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bundled seeds: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// copyTree copies the folder src to a new temporary folder.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// expected is what a corpus file says, worked out without seedfeed's parser.
type expected struct {
	Path       string   `json:"path"`
	Title      string   `json:"title"`
	Paragraphs []string `json:"paragraphs"`
}

// expectedArticles reads every .txt file under dir the plain way: UTF-8,
// or windows-1256 where it is not; a leading BOM, line ends, white space
// around lines, blank lines and control characters go; nothing else does.
func expectedArticles(t *testing.T, dir string) []expected {
	t.Helper()
	var out []expected
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".txt") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !utf8.Valid(data) {
			if data, err = charmap.Windows1256.NewDecoder().Bytes(data); err != nil {
				return err
			}
		}
		text := strings.TrimPrefix(string(data), "\uFEFF")
		text = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text)
		rel, _ := filepath.Rel(dir, p)
		a := expected{Path: filepath.ToSlash(rel)}
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(strings.Map(func(r rune) rune {
				if r != '\t' && (r < 0x20 || (r >= 0x7f && r <= 0x9f)) {
					return -1
				}
				return r
			}, line))
			switch {
			case line == "":
			case a.Title == "":
				a.Title = line
			default:
				a.Paragraphs = append(a.Paragraphs, line)
			}
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// corpusDaemon serves a copy of testdata/corpus and waits until every
// article in it is in the JSON feed.
func corpusDaemon(t *testing.T) (*instance, []expected) {
	t.Helper()
	return seedsDaemon(t, copyTree(t, filepath.Join("testdata", "corpus")), "-limit", "100")
}

// seedsDaemon serves seeds with the extra arguments and waits until every
// article in it is in the JSON feed.
func seedsDaemon(t *testing.T, seeds string, extra ...string) (*instance, []expected) {
	t.Helper()
	want := expectedArticles(t, seeds)
	d := startDaemon(t, seeds, filepath.Join(t.TempDir(), "seeds.db"), extra...)
	published := 0
	all := seedtest.Poll(eventLimit, func() bool {
		_, body := d.get(t, "/feed.json")
		var f struct{ Items []json.RawMessage }
		if err := json.Unmarshal(body, &f); err != nil {
			t.Fatalf("feed.json: %v", err)
		}
		published = len(f.Items)
		return published == len(want)
	})
	if !all {
		t.Fatalf("%d of %d articles published:\n%s", published, len(want), d.log)
	}
	return d, want
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

// tool finds an external validator. Without it the check is skipped,
// unless SEEDFEED_VALIDATORS=require (as .ci/run sets), when it fails.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, "%s is not installed", name)
	}
	return p
}

// missing skips the test for want of the validator or reader that what
// names, or fails it if SEEDFEED_VALIDATORS=require (as .ci/run sets).
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	what := fmt.Sprintf(format, args...)
	if os.Getenv("SEEDFEED_VALIDATORS") == "require" {
		t.Fatalf("%s and SEEDFEED_VALIDATORS=require", what)
	}
	t.Skipf("%s (.ci/run installs it)", what)
}

// buildCommand builds the command with go build, which stamps the VCS
// revision that go test leaves out (-buildvcs=true, whatever GOFLAGS say).
func buildCommand(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "seedfeed")
	out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// importBase is the modification time of writeImport's first file.
var importBase = time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)

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
