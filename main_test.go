package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
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

// syncBuffer is a bytes.Buffer that run's goroutines may write while the
// test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigErrors(t *testing.T) {
	seeds := t.TempDir()
	file := filepath.Join(seeds, "file")
	os.WriteFile(file, nil, 0o644)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"missing seeds", []string{"-seeds", filepath.Join(seeds, "nope")}, nil, "-seeds"},
		{"seeds is a file", []string{"-seeds", file}, nil, "not a directory"},
		{"db in a missing folder", []string{"-db", "/nonexistent/x.db"}, nil, "-db"},
		{"db is a folder", []string{"-db", seeds}, nil, "not a regular file"},
		{"addr without port", []string{"-addr", "localhost"}, nil, "-addr"},
		{"addr with a bad port", []string{"-addr", "localhost:http8"}, nil, "port"},
		{"addr port too large", []string{"-addr", "localhost:70000"}, nil, "port"},
		{"base-url relative", []string{"-base-url", "/feeds"}, nil, "scheme"},
		{"base-url ftp", []string{"-base-url", "ftp://example.com"}, nil, "scheme"},
		{"base-url with query", []string{"-base-url", "https://example.com/?a=b"}, nil, "query"},
		{"base-url garbage", []string{"-base-url", "http://[::1"}, nil, "-base-url"},
		{"lang invalid", []string{"-lang", "arabic!"}, nil, "-lang"},
		{"lang too long", []string{"-lang", "ar-xxxxxxxxxx"}, nil, "-lang"},
		{"empty title", []string{"-title", "  "}, nil, "-title"},
		{"limit zero", []string{"-limit", "0"}, nil, "-limit"},
		{"limit huge", []string{"-limit", "1000000"}, nil, "-limit"},
		{"settle zero", []string{"-settle", "0s"}, nil, "-settle"},
		{"rescan negative", []string{"-rescan", "-1s"}, nil, "-rescan"},
		{"extra argument", []string{"serve"}, nil, "unexpected argument"},
		{"env limit not a number", nil, map[string]string{"SEEDFEED_LIMIT": "many"}, "SEEDFEED_LIMIT"},
		{"env lang invalid", nil, map[string]string{"SEEDFEED_LANG": "??"}, "-lang"},
		{"env max-size bad", nil, map[string]string{"SEEDFEED_MAX_SIZE": "1 banana"}, "SEEDFEED_MAX_SIZE"},
		{"env settle bad", nil, map[string]string{"SEEDFEED_SETTLE": "soon"}, "SEEDFEED_SETTLE"},
		{"charset unknown", []string{"-charset", "klingon"}, nil, "-charset"},
		{"title with a control character", []string{"-title", "a\x01b"}, nil, "control"},
		{"author not UTF-8", []string{"-author", "\xff"}, nil, "-author"},
		{"max-age not a number", []string{"-max-age", "soon"}, nil, "max-age"},
		{"max-age fraction", []string{"-max-age", "1.5s"}, nil, "max-age"},
		{"max-age too long", []string{"-max-age", "10000h"}, nil, "-max-age"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if !slices.Contains(args, "-seeds") {
				args = append([]string{"-seeds", seeds}, args...)
			}
			var stderr bytes.Buffer
			_, err := parseConfig(args, env(tc.env), io.Discard, &stderr)
			if err == nil {
				t.Fatalf("parseConfig(%q, %v) succeeded", args, tc.env)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseConfig(%q, %v) = %v, want it to mention %q", args, tc.env, err, tc.want)
			}
		})
	}
}

func TestConfigEnvAndFlags(t *testing.T) {
	seeds := t.TempDir()
	e := env(map[string]string{
		"SEEDFEED_SEEDS":    seeds,
		"SEEDFEED_LIMIT":    "7",
		"SEEDFEED_LANG":     "fa",
		"SEEDFEED_BASE_URL": "https://news.example.com/base/",
		"SEEDFEED_MAX_SIZE": "2MiB",
		"SEEDFEED_TITLE":    "من البيئة",
		"SEEDFEED_MAX_AGE":  "60",
		"SEEDFEED_CHARSET":  "none",
		"SEEDFEED_VERSION":  "2.4.1", // -version has no twin: ignored
	})
	cfg, err := parseConfig([]string{"-limit", "9", "-title", "من العلم"}, e, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.seeds != seeds || cfg.feed.Limit != 9 || cfg.feed.Lang.String() != "fa" ||
		cfg.feed.BaseURL != "https://news.example.com/base" || cfg.maxSize != 2<<20 || cfg.feed.Title != "من العلم" {
		t.Errorf("config = %+v", cfg)
	}
	if cfg.version {
		t.Error("SEEDFEED_VERSION set -version")
	}
	if cfg.feed.MaxAge != time.Minute || cfg.charset != nil {
		t.Errorf("max-age, charset = %v, %v; want 1m, none", cfg.feed.MaxAge, cfg.charset)
	}
	if cfg.feed.Description != "من العلم" || cfg.feed.Author != "من العلم" {
		t.Errorf("description and author = %q, %q; want the title", cfg.feed.Description, cfg.feed.Author)
	}
}

func TestHelpListsEnv(t *testing.T) {
	var out bytes.Buffer
	_, err := parseConfig([]string{"-h"}, env(nil), io.Discard, &out)
	if !errors.Is(err, errHelp) {
		t.Fatalf("-h = %v, want errHelp", err)
	}
	for _, want := range []string{"-seeds", "SEEDFEED_SEEDS", "-db", "SEEDFEED_DB", "-addr", "SEEDFEED_ADDR",
		"-base-url", "SEEDFEED_BASE_URL", "-lang", "SEEDFEED_LANG", "-title", "SEEDFEED_TITLE", "-limit", "SEEDFEED_LIMIT"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-h output lacks %s:\n%s", want, out.String())
		}
	}
}

// TestExitCodes runs the command itself: misconfiguration is a message
// and a non-zero exit, never a panic.
func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  []string
		code int
		want string
	}{
		{"help", []string{"-h"}, nil, 0, "SEEDFEED_LANG"},
		{"unknown flag", []string{"-nope"}, nil, 2, "flag provided but not defined"},
		{"bad flag value", []string{"-limit", "x"}, nil, 2, "invalid value"},
		{"bad lang", []string{"-lang", "not a tag"}, nil, 1, "seedfeed: -lang"},
		{"bad env", nil, []string{"SEEDFEED_LIMIT=-3"}, 1, "-limit -3"},
		{"missing seeds", []string{"-seeds", "/nonexistent"}, nil, 1, "seedfeed: -seeds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], tc.args...)
			cmd.Dir = t.TempDir()
			os.Mkdir(filepath.Join(cmd.Dir, "seeds"), 0o755)
			cmd.Env = append(os.Environ(), append(tc.env, "SEEDFEED_RUN_MAIN=1")...)
			out, err := cmd.CombinedOutput()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code || !strings.Contains(string(out), tc.want) {
				t.Errorf("seedfeed %q exited %d with:\n%s\nwant exit %d mentioning %q", tc.args, code, out, tc.code, tc.want)
			}
			if strings.Contains(string(out), "panic") {
				t.Errorf("seedfeed %q panicked:\n%s", tc.args, out)
			}
		})
	}
}

// instance is one run of the whole program on 127.0.0.1:0.
type instance struct {
	url    string
	log    *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// listenRE finds the listening address in a text or JSON log.
var listenRE = regexp.MustCompile(`(?:msg=listening addr=|"msg":"listening","addr":")(127\.0\.0\.1:\d+)`)

func startDaemon(t *testing.T, seeds, db string, extra ...string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &instance{log: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	args := append([]string{"-seeds", seeds, "-db", db, "-addr", "127.0.0.1:0", "-settle", "50ms"}, extra...)
	go func() { d.done <- run(ctx, args, env(nil), io.Discard, d.log) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := listenRE.FindStringSubmatch(d.log.String()); m != nil {
			d.url = "http://" + m[1]
			break
		}
		select {
		case err := <-d.done:
			t.Fatalf("run returned %v before listening:\n%s", err, d.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon did not start:\n%s", d.log)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() { d.stop(t) })
	return d
}

func (d *instance) stop(t *testing.T) {
	if d.cancel == nil {
		return
	}
	d.cancel()
	d.cancel = nil
	select {
	case err := <-d.done:
		if err != nil {
			t.Errorf("run = %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Errorf("run did not stop")
	}
}

func (d *instance) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(d.url + path)
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

// readAll fetches the three feeds and reads them as a reader would.
func (d *instance) readAll(t *testing.T) map[string][]entry {
	t.Helper()
	all := make(map[string][]entry)
	for _, format := range []string{"atom", "rss", "json"} {
		resp, body := d.get(t, "/feed."+format)
		if resp.StatusCode != 200 {
			t.Fatalf("GET /feed.%s = %d", format, resp.StatusCode)
		}
		lang, entries := readFeed(t, format, body)
		if lang != "ar" {
			t.Errorf("/feed.%s language = %q", format, lang)
		}
		all[format] = entries
	}
	return all
}

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

// TestEndToEnd runs the program, drops a file and reads it back from all
// three feeds and from its page.
func TestEndToEnd(t *testing.T) {
	seeds := copySeeds(t)
	d := startDaemon(t, seeds, filepath.Join(t.TempDir(), "e2e.db"))

	for format, entries := range d.readAll(t) {
		if len(entries) != 1 || !strings.HasPrefix(entries[0].Title, "رويترز: ") {
			t.Errorf("%s: the bundled article is missing: %d entries", format, len(entries))
		}
	}

	want := expected{
		Title:      `عاجل: "اختبار" <النظام> & التحقق`,
		Paragraphs: []string{"الفقرة الأولى، مع ٣ أرقام؟", "الفقرة الثانية ‏(مع علامة اتجاه)."},
	}
	dropped := filepath.Join(seeds, "أخبار اليوم", "مقال [تجريبي].txt")
	os.MkdirAll(filepath.Dir(dropped), 0o755)
	if err := os.WriteFile(dropped, []byte("\uFEFF"+want.Title+"\r\n\r\n"+strings.Join(want.Paragraphs, "\r\n")+"\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(5 * time.Second)
	var all map[string][]entry
	for {
		all = d.readAll(t)
		if len(all["atom"]) == 2 && len(all["rss"]) == 2 && len(all["json"]) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dropped file did not reach all three feeds:\n%s", d.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var ids []string
	for format, entries := range all {
		e := entries[0] // the newest
		checkArticle(t, format, e, want)
		ids = append(ids, e.ID)
		// Every entry's link opens the article.
		resp, page := d.get(t, strings.TrimPrefix(e.Link, d.url))
		if resp.StatusCode != 200 {
			t.Errorf("%s link %s = %d", format, e.Link, resp.StatusCode)
			continue
		}
		if _, _, title, paras := readPage(t, page); title != want.Title || !slices.Equal(paras, want.Paragraphs) {
			t.Errorf("%s link %s shows %q, %q", format, e.Link, title, paras)
		}
	}
	if ids[0] != ids[1] || ids[1] != ids[2] || ids[0] == "" {
		t.Errorf("the three feeds give different ids: %q", ids)
	}

	// Deleting the file removes it from every feed.
	os.Remove(dropped)
	for {
		all = d.readAll(t)
		if len(all["atom"]) == 1 && len(all["rss"]) == 1 && len(all["json"]) == 1 {
			break
		}
		if time.Now().After(deadline.Add(5 * time.Second)) {
			t.Fatalf("the deleted file stayed in the feeds:\n%s", d.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRestartKeepsIdentity restarts the daemon, then deletes its database
// and starts again: no entry may look new to a reader.
func TestRestartKeepsIdentity(t *testing.T) {
	seeds := copySeeds(t)
	os.MkdirAll(filepath.Join(seeds, "sub"), 0o755)
	os.WriteFile(filepath.Join(seeds, "sub", "ثان.txt"), []byte("مقال ثان\nفقرة"), 0o644)
	db := filepath.Join(t.TempDir(), "id.db")
	// Each run listens on a new port: fix the public URL, as an operator would.
	base := []string{"-base-url", "https://news.example.com"}

	type identity struct{ id, published string }
	snapshot := func(d *instance) map[string]identity {
		m := make(map[string]identity)
		for format, entries := range d.readAll(t) {
			for _, e := range entries {
				m[format+" "+e.Title] = identity{e.ID, e.Published.String()}
			}
		}
		return m
	}
	d := startDaemon(t, seeds, db, base...)
	first := snapshot(d)
	resp, atom := d.get(t, "/feed.atom")
	lastModified := resp.Header.Get("Last-Modified")
	published := value(t, d.scrape(t), "seedfeed_last_publication_timestamp_seconds")
	d.stop(t)
	if len(first) != 6 {
		t.Fatalf("first run: %d entries over three feeds, want 6", len(first))
	}

	d = startDaemon(t, seeds, db, base...)
	if again := snapshot(d); !mapsEqual(first, again) {
		t.Errorf("after a restart:\n%v\nwant\n%v", again, first)
	}
	resp, atomAgain := d.get(t, "/feed.atom")
	if !bytes.Equal(atom, atomAgain) {
		t.Errorf("the Atom feed changed across a restart with nothing changed on disk")
	}
	if lm := resp.Header.Get("Last-Modified"); lm != lastModified {
		t.Errorf("Last-Modified moved across a restart with nothing changed: %s, then %s", lastModified, lm)
	}
	// The time of the last publication is the database's, not zero.
	if p := value(t, d.scrape(t), "seedfeed_last_publication_timestamp_seconds"); p != published || p == 0 {
		t.Errorf("after a restart the last publication is at %v, want %v", p, published)
	}
	d.stop(t)

	// Other settings serve other bytes: Last-Modified must say so.
	time.Sleep(1100 * time.Millisecond) // HTTP dates count whole seconds
	d = startDaemon(t, seeds, db, append(base, "-title", "عنوان آخر")...)
	resp, _ = d.get(t, "/feed.atom")
	was, _ := http.ParseTime(lastModified)
	if now, err := http.ParseTime(resp.Header.Get("Last-Modified")); err != nil || !now.After(was) {
		t.Errorf("after a restart with another -title, Last-Modified %s, was %s", resp.Header.Get("Last-Modified"), lastModified)
	}
	d.stop(t)

	if err := os.Remove(db); err != nil {
		t.Fatal(err)
	}
	d = startDaemon(t, seeds, db, base...)
	if fresh := snapshot(d); !mapsEqual(first, fresh) {
		t.Errorf("after deleting the database:\n%v\nwant\n%v", fresh, first)
	}
}

func mapsEqual[K, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

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
