package watcher

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

func TestScanReconciles(t *testing.T) {
	h := prepare(t, "")
	dir, store := h.dir, h.store
	h.write(t, "kept.txt", "باق\nفقرة")
	h.write(t, "edited.txt", "قبل")
	h.write(t, "deleted.txt", "محذوف")
	h.write(t, "sub/deep/nested.txt", "متداخل")
	w := h.watcher(t, Options{})
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

	w = h.watcher(t, Options{})
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
	// Clamped to now: updated dates are unique, so it may stand a few
	// milliseconds past now (one per article stored), never near the
	// file's hour ahead.
	if limit := time.Now().Add(time.Duration(len(want)) * time.Millisecond); edited.Updated.After(limit) {
		t.Errorf("a file dated in the future got updated = %v, later than now and its unique-date slack (%v)", edited.Updated, limit)
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
	for _, name := range []string{".hidden.txt", ".#lock.txt", "notes.odt", "a.txt~", ".hidden.md", "a.md~", ".git/x.txt", "draft.txt.part", "draft.md.part", "x.swp", "photo.jpg"} {
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
	h := prepare(t, "")
	dir := h.dir
	cp1256, err := charmap.Windows1256.NewEncoder().String("عنوان بترميز ويندوز\r\nفقرة؟")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "legacy.txt"), []byte(cp1256), 0o644)
	damaged := []byte("عنوان سليم تقريبًا")
	os.WriteFile(filepath.Join(dir, "damaged.txt"), damaged[:len(damaged)-1], 0o644)

	store, log := h.store, h.log
	w := h.watcher(t, Options{Charset: charmap.Windows1256})
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
