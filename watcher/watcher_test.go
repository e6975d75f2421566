package watcher

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// logBuffer collects log output from the watcher's goroutine.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type harness struct {
	dir   string
	db    string
	store *storage.Store
	log   *logBuffer
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

// newHarness watches dir (a new temporary folder if empty) into a new
// database, after an initial scan, until the test ends.
func newHarness(tb testing.TB, dir string) *harness {
	tb.Helper()
	if dir == "" {
		dir = tb.TempDir()
	}
	h := &harness{dir: dir, db: filepath.Join(tb.TempDir(), "test.db"), log: &logBuffer{}}
	h.store = openStore(tb, h.db)
	h.start(tb, h.store)
	return h
}

func (h *harness) start(tb testing.TB, store Store) *Watcher {
	tb.Helper()
	w, err := New(h.dir, store, Options{
		Settle: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		tb.Fatal(err)
	}
	h.run(tb, w)
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
	items, err := h.store.Newest(1 << 20)
	if err != nil {
		tb.Fatal(err)
	}
	m := make(map[string]string)
	for _, it := range items {
		m[it.Path] = it.Title
	}
	return m
}

// waitFor polls cond until it holds or five seconds pass.
func (h *harness) waitFor(tb testing.TB, what string, cond func(map[string]string) bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		m := h.titles(tb)
		if cond(m) {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s; stored: %q\nlog:\n%s", what, m, h.log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitLog waits five seconds at most for a log line holding want.
func (h *harness) waitLog(tb testing.TB, want string) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(h.log.String(), want) {
		if time.Now().After(deadline) {
			tb.Fatalf("no log line holds %s:\n%s", want, h.log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (h *harness) waitTitle(tb testing.TB, rel, title string) {
	tb.Helper()
	h.waitFor(tb, fmt.Sprintf("%s titled %q", rel, title), func(m map[string]string) bool { return m[rel] == title })
}

func (h *harness) waitGone(tb testing.TB, rel string) {
	tb.Helper()
	h.waitFor(tb, rel+" removed", func(m map[string]string) bool { _, ok := m[rel]; return !ok })
}

func TestScanReconciles(t *testing.T) {
	dir := t.TempDir()
	h := &harness{dir: dir, db: filepath.Join(t.TempDir(), "test.db"), log: &logBuffer{}}
	store := openStore(t, h.db)
	h.store = store
	h.write(t, "kept.txt", "باق\nفقرة")
	h.write(t, "edited.txt", "قبل")
	h.write(t, "deleted.txt", "محذوف")
	h.write(t, "sub/deep/nested.txt", "متداخل")
	w, err := New(dir, store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.Close()
	before, err := store.Article("kept")
	if err != nil {
		t.Fatal(err)
	}

	// While the daemon is down: one edit (with a new mtime), one deletion, one new file.
	h.write(t, "edited.txt", "بعد")
	future := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "edited.txt"), future, future)
	os.Remove(filepath.Join(dir, "deleted.txt"))
	h.write(t, "new.txt", "جديد")

	w, err = New(dir, store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"kept.txt": "باق", "edited.txt": "بعد", "new.txt": "جديد", "sub/deep/nested.txt": "متداخل"}
	if got := h.titles(t); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after rescan: %q, want %q", got, want)
	}
	after, err := store.Article("kept")
	if err != nil || !after.Published.Equal(before.Published) || after.Key != before.Key {
		t.Errorf("unchanged file: %+v, %v; want %+v", after, err, before)
	}
	edited, err := store.Article("edited")
	if err != nil {
		t.Fatal(err)
	}
	if edited.Updated.After(time.Now()) {
		t.Errorf("a file dated in the future got updated = %v, later than now", edited.Updated)
	}
}

func TestLiveAddEditDelete(t *testing.T) {
	h := newHarness(t, "")
	h.writeAt(t, "خبر عاجل (1).txt", "عنوان أول\nفقرة", time.Now().Add(-time.Hour))
	h.waitTitle(t, "خبر عاجل (1).txt", "عنوان أول")
	first, err := h.store.Article("خبر عاجل (1)")
	if err != nil {
		t.Fatal(err)
	}

	// Feeds date in whole seconds: give the edit a visibly later time.
	h.writeAt(t, "خبر عاجل (1).txt", "عنوان ثان\nفقرة", first.File.ModTime.Add(2*time.Second))
	h.waitTitle(t, "خبر عاجل (1).txt", "عنوان ثان")
	edited, err := h.store.Article("خبر عاجل (1)")
	if err != nil {
		t.Fatal(err)
	}
	if !edited.Published.Equal(first.Published) || edited.Key != first.Key {
		t.Errorf("edit changed identity: published %v → %v, key %q → %q", first.Published, edited.Published, first.Key, edited.Key)
	}
	if !edited.Updated.After(first.Updated) {
		t.Errorf("edit did not move updated: %v → %v", first.Updated, edited.Updated)
	}

	os.Remove(filepath.Join(h.dir, "خبر عاجل (1).txt"))
	h.waitGone(t, "خبر عاجل (1).txt")
	h.waitLog(t, `msg="article removed" path="خبر عاجل (1).txt"`)
}

func TestEditorSaveByRename(t *testing.T) {
	h := newHarness(t, "")
	h.write(t, "a.txt", "قديم")
	h.waitTitle(t, "a.txt", "قديم")
	// What vim and many editors do: write a temporary file, rename it over.
	h.write(t, ".a.txt.swp", "مؤقت")
	h.write(t, "a.txt.tmp", "جديد")
	if err := os.Rename(filepath.Join(h.dir, "a.txt.tmp"), filepath.Join(h.dir, "a.txt")); err != nil {
		t.Fatal(err)
	}
	h.waitTitle(t, "a.txt", "جديد")
	if m := h.titles(t); len(m) != 1 {
		t.Errorf("stored %q; want a.txt alone, no temporary files", m)
	}
}

func TestSubfoldersLater(t *testing.T) {
	h := newHarness(t, "")
	h.write(t, "أخبار/محلية/مقال.txt", "محلي")
	h.waitTitle(t, "أخبار/محلية/مقال.txt", "محلي")

	// A folder with files, made elsewhere and moved in whole.
	outside := filepath.Join(t.TempDir(), "ready")
	os.MkdirAll(filepath.Join(outside, "inner"), 0o755)
	os.WriteFile(filepath.Join(outside, "one.txt"), []byte("واحد"), 0o644)
	os.WriteFile(filepath.Join(outside, "inner", "two.txt"), []byte("اثنان"), 0o644)
	if err := os.Rename(outside, filepath.Join(h.dir, "ready")); err != nil {
		t.Fatal(err)
	}
	h.waitTitle(t, "ready/one.txt", "واحد")
	h.waitTitle(t, "ready/inner/two.txt", "اثنان")

	// Files written into the moved folder later are seen too.
	h.write(t, "ready/inner/three.txt", "ثلاثة")
	h.waitTitle(t, "ready/inner/three.txt", "ثلاثة")

	// Renaming a folder moves its articles; new files land under the new name.
	if err := os.Rename(filepath.Join(h.dir, "ready"), filepath.Join(h.dir, "done")); err != nil {
		t.Fatal(err)
	}
	h.waitTitle(t, "done/inner/two.txt", "اثنان")
	h.waitGone(t, "ready/inner/two.txt")
	h.write(t, "done/inner/four.txt", "أربعة")
	h.waitTitle(t, "done/inner/four.txt", "أربعة")
	if _, ok := h.titles(t)["ready/inner/four.txt"]; ok {
		t.Error("a file written after a folder rename was stored under the old folder name")
	}

	// Deleting a folder unpublishes everything in it.
	if err := os.RemoveAll(filepath.Join(h.dir, "done")); err != nil {
		t.Fatal(err)
	}
	h.waitFor(t, "done/ emptied", func(m map[string]string) bool {
		for p := range m {
			if strings.HasPrefix(p, "done/") {
				return false
			}
		}
		return true
	})
	if m := h.titles(t); m["أخبار/محلية/مقال.txt"] != "محلي" {
		t.Errorf("an unrelated folder's article was lost: %q", m)
	}
}

// longName is a legal path whose article URL would be too long to open:
// five folders of 120 letters, 720 bytes each once percent-encoded.
var longName = strings.Repeat(strings.Repeat("ع", 120)+"/", 5) + "long.txt"

func TestBadFilesRefused(t *testing.T) {
	h := newHarness(t, "")
	h.write(t, "good.txt", "سليم\nفقرة")
	h.waitTitle(t, "good.txt", "سليم")

	bad := map[string]string{
		"empty.txt":   "",
		"blank.txt":   " \n\r\n\t\n",
		"binary.txt":  "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
		"cp1256.txt":  "\xc7\xe1\xda\xd1\xc8\xed\xc9",
		"huge.txt":    strings.Repeat("كلمة ", DefaultMaxSize/5+1),
		"bad\x01.txt": "اسم فيه تحكم",
		longName:      "اسم لا يتسع له رابط",
	}
	// The long name's folders first, watched before its file is written:
	// a first file there (refused too, for the same reason) says so.
	os.MkdirAll(filepath.Join(h.dir, filepath.Dir(longName)), 0o755)
	h.write(t, filepath.Join(filepath.Dir(longName), "first.txt"), "أول")
	h.waitLog(t, "first.txt")
	for name, content := range bad {
		h.write(t, name, content)
	}
	// A good file written after the bad ones settles after them: once it
	// is stored, every bad one has been looked at.
	h.write(t, "after.txt", "بعدها")
	h.waitTitle(t, "after.txt", "بعدها")

	m := h.titles(t)
	for name := range bad {
		if _, ok := m[name]; ok {
			t.Errorf("%q was published", name)
		}
	}
	if m["good.txt"] != "سليم" {
		t.Errorf("an earlier article was lost: %q", m)
	}
	logs := h.log.String()
	for name, reason := range map[string]string{
		"empty.txt":   article.ErrEmpty.Error(),
		"blank.txt":   article.ErrEmpty.Error(),
		"binary.txt":  article.ErrBinary.Error(),
		"cp1256.txt":  article.ErrNotUTF8.Error(),
		"huge.txt":    "too large",
		"bad\x01.txt": "control characters",
		longName:      "its URL path would be",
	} {
		found := false
		for line := range strings.Lines(logs) {
			names := strings.Contains(line, "path="+name+" ") || strings.Contains(line, "path="+strconv.Quote(name))
			if strings.Contains(line, "file refused") && names && strings.Contains(line, reason) {
				found = true
			}
		}
		if !found {
			t.Errorf("no log line refuses %q with %q:\n%s", name, reason, logs)
		}
	}
}

func TestEditIntoGarbageKeepsPublished(t *testing.T) {
	h := newHarness(t, "")
	h.write(t, "a.txt", "الأصل\nفقرة")
	h.waitTitle(t, "a.txt", "الأصل")
	h.write(t, "a.txt", "")
	h.write(t, "b.txt", "علامة")
	h.waitTitle(t, "b.txt", "علامة")
	if got := h.titles(t)["a.txt"]; got != "الأصل" {
		t.Errorf("after a.txt was emptied its entry is %q, want the published version kept", got)
	}
}

func TestIgnoredAndSpecialFiles(t *testing.T) {
	h := newHarness(t, "")
	for _, name := range []string{".hidden.txt", ".#lock.txt", "notes.md", "a.txt~", ".git/x.txt", "draft.txt.part", "x.swp"} {
		h.write(t, name, "مخفي")
	}
	// A FIFO named like an article must not block the watcher.
	if err := syscall.Mkfifo(filepath.Join(h.dir, "pipe.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "secret.txt")
	os.WriteFile(outside, []byte("سر"), 0o644)
	if err := os.Symlink(outside, filepath.Join(h.dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	h.write(t, "visible.txt", "ظاهر")
	h.waitTitle(t, "visible.txt", "ظاهر")
	if m := h.titles(t); len(m) != 1 {
		t.Errorf("stored %q; want only visible.txt", m)
	}
}

// TestIdentitySurvivesNewDatabase deletes the database: the same files
// must come back with the same keys and published dates.
func TestIdentitySurvivesNewDatabase(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	old := time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)
	for _, name := range []string{"a.txt", "sub/ب.txt"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.WriteFile(p, []byte("عنوان "+name), 0o644)
		os.Chtimes(p, old, old)
	}
	var runs [2][]storage.Item
	for i := range runs {
		db := filepath.Join(t.TempDir(), "fresh.db")
		store, err := storage.Open(db, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		w, err := New(dir, store, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		w.Close()
		runs[i], err = store.Newest(10)
		if err != nil {
			t.Fatal(err)
		}
		store.Close()
		os.Remove(db)
	}
	if len(runs[0]) != 2 {
		t.Fatalf("first run stored %d articles, want 2", len(runs[0]))
	}
	for i := range runs[0] {
		a, b := runs[0][i], runs[1][i]
		if a.Key != b.Key || !a.Published.Equal(b.Published) || !a.Published.Equal(old) {
			t.Errorf("article %d: key %q published %v, then key %q published %v; want both published %v", i, a.Key, a.Published, b.Key, b.Published, old)
		}
	}
}

func TestCharsetFallback(t *testing.T) {
	dir := t.TempDir()
	cp1256, err := charmap.Windows1256.NewEncoder().String("عنوان بترميز ويندوز\r\nفقرة؟")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "legacy.txt"), []byte(cp1256), 0o644)
	damaged := []byte("عنوان سليم تقريبًا")
	os.WriteFile(filepath.Join(dir, "damaged.txt"), damaged[:len(damaged)-1], 0o644)

	store := openStore(t, filepath.Join(t.TempDir(), "test.db"))
	log := &logBuffer{}
	w, err := New(dir, store, Options{Charset: charmap.Windows1256, Logger: slog.New(slog.NewTextHandler(log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	it, err := store.Article("legacy")
	if err != nil || it.Title != "عنوان بترميز ويندوز" || len(it.Paragraphs) != 1 || it.Paragraphs[0] != "فقرة؟" {
		t.Errorf("Article(legacy) = %+v, %v", it, err)
	}
	if _, err := store.Article("damaged"); err == nil {
		t.Error("damaged UTF-8 was published")
	}
	if !strings.Contains(log.String(), "path=damaged.txt") || !strings.Contains(log.String(), "damaged bytes") {
		t.Errorf("no log line refuses damaged.txt:\n%s", log)
	}
}
