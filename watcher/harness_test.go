package watcher

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// The helpers that the watcher's tests share: a harness that watches a
// real temporary folder into a real database, and the one way they wait
// for what the watcher does (wait, and waitFor, waitLog, waitTitle,
// waitGone on top of it).

// waitLimit bounds a wait for an event: the event comes long before it,
// or the test fails.
const waitLimit = 5 * time.Second

type harness struct {
	dir   string
	db    string
	store *storage.Store
	log   *seedtest.LogBuffer
	w     *Watcher
}

// openStore opens a real bbolt file at path for the rest of the test.
func openStore(tb testing.TB, path string) *storage.Store {
	tb.Helper()
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// prepare makes a harness for dir (a new temporary folder if empty) with
// a new database, and no watcher yet.
func prepare(tb testing.TB, dir string) *harness {
	tb.Helper()
	if dir == "" {
		dir = tb.TempDir()
	}
	h := &harness{dir: dir, db: filepath.Join(tb.TempDir(), "test.db"), log: &seedtest.LogBuffer{}}
	h.store = openStore(tb, h.db)
	return h
}

// newHarness watches dir (a new temporary folder if empty) into a new
// database, after an initial scan, until the test ends. Its log has the
// debug lines too.
func newHarness(tb testing.TB, dir string) *harness {
	tb.Helper()
	h := prepare(tb, dir)
	h.run(tb, h.watcher(tb, Options{
		Settle: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}))
	return h
}

// watcher makes a watcher of h's folder into h's store; it logs to h.log
// from the info level up unless opts has a logger.
func (h *harness) watcher(tb testing.TB, opts Options) *Watcher {
	tb.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(h.log, nil))
	}
	if os.Getenv(fsnotifyEnv) == "1" {
		opts.noCompletions = true // see TestFsnotifyAlone
	}
	w, err := New(h.dir, h.store, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// run scans, then runs w until the test ends.
func (h *harness) run(tb testing.TB, w *Watcher) {
	tb.Helper()
	h.w = w
	if err := w.Scan(context.Background()); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("Run = %v", err)
		}
	})
}

// scanOnce runs one start-up scan of dir into store, as a daemon started
// and stopped would, logging to log if it is not nil.
func scanOnce(tb testing.TB, dir string, store Store, log *seedtest.LogBuffer) {
	tb.Helper()
	opts := Options{}
	if log != nil {
		opts.Logger = slog.New(slog.NewTextHandler(log, nil))
	}
	w, err := New(dir, store, opts)
	if err != nil {
		tb.Fatal(err)
	}
	defer w.Close()
	if err := w.Scan(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

func (h *harness) write(tb testing.TB, rel, content string) {
	tb.Helper()
	p := filepath.Join(h.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// writeAt writes rel with the modification time mtime, complete at once:
// it prepares the file elsewhere and moves it in.
func (h *harness) writeAt(tb testing.TB, rel, content string, mtime time.Time) {
	tb.Helper()
	tmp := filepath.Join(tb.TempDir(), "prepared")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Chtimes(tmp, mtime, mtime); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(h.dir, filepath.FromSlash(rel))); err != nil {
		tb.Fatal(err)
	}
}

// titles returns the stored titles by path.
func (h *harness) titles(tb testing.TB) map[string]string {
	tb.Helper()
	m, err := h.storedTitles()
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func (h *harness) storedTitles() (map[string]string, error) {
	items, err := h.store.Newest(1 << 20)
	m := make(map[string]string)
	for _, it := range items {
		m[it.Path] = it.Title
	}
	return m, err
}

// String is what a failed wait shows: what is stored, and the end of the log.
func (h *harness) String() string {
	const most = 20  // titles shown; past that, only how many
	const tail = 200 // log lines shown
	var stored string
	if m, err := h.storedTitles(); err != nil {
		stored = err.Error()
	} else if len(m) > most {
		stored = fmt.Sprintf("%d articles", len(m))
	} else {
		stored = fmt.Sprintf("%q", m)
	}
	lines := strings.SplitAfter(h.log.String(), "\n")
	if len(lines) > tail {
		lines = append([]string{"…\n"}, lines[len(lines)-tail:]...)
	}
	return fmt.Sprintf("stored: %s\nlog:\n%s", stored, strings.Join(lines, ""))
}

// wait waits until cond holds, and fails the test, naming what it waited
// for and showing the store and the log, if limit passes first.
func (h *harness) wait(tb testing.TB, limit time.Duration, what string, cond func() bool) {
	tb.Helper()
	seedtest.WaitFor(tb, limit, what, h, cond)
}

// waitFor waits until cond holds for the stored titles by path.
func (h *harness) waitFor(tb testing.TB, what string, cond func(map[string]string) bool) {
	tb.Helper()
	h.wait(tb, waitLimit, what, func() bool { return cond(h.titles(tb)) })
}

// waitLog waits for a log line holding want.
func (h *harness) waitLog(tb testing.TB, want string) {
	tb.Helper()
	h.wait(tb, waitLimit, "a log line holding "+want, func() bool { return strings.Contains(h.log.String(), want) })
}

func (h *harness) waitTitle(tb testing.TB, rel, title string) {
	tb.Helper()
	h.waitFor(tb, fmt.Sprintf("%s titled %q", rel, title), func(m map[string]string) bool { return m[rel] == title })
}

func (h *harness) waitGone(tb testing.TB, rel string) {
	tb.Helper()
	h.waitFor(tb, rel+" removed", func(m map[string]string) bool { _, ok := m[rel]; return !ok })
}

// published returns the published date of the article at slug.
func (h *harness) published(tb testing.TB, slug string) time.Time {
	tb.Helper()
	it, err := h.store.Article(slug)
	if err != nil {
		tb.Fatalf("Article(%s) = %v", slug, err)
	}
	return it.Published
}

// fsnotifyEnv, set to 1, has every harness watch through fsnotify alone,
// as where inotify's own instance is missing (see TestFsnotifyAlone).
const fsnotifyEnv = "SEEDFEED_WATCHER_FSNOTIFY"
