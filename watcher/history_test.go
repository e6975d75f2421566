package watcher

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These tests replay what publishers' tools do to a file already
// published. A file's history comes from one ordered queue (see complete):
// with two queues read in no order, some of these published a file only
// after 30 s, or half-written.

// TestSaves: an editor's save, in each of the common ways, reaches the
// store within a second, every time.
func TestSaves(t *testing.T) {
	h := newHarness(t, "")
	saves := map[string]func(p string, body []byte){
		"backup rename": func(p string, body []byte) { // vim's default
			os.Rename(p, p+"~")
			os.WriteFile(p, body, 0o644)
			os.Remove(p + "~")
		},
		"delete, write": func(p string, body []byte) {
			os.Remove(p)
			os.WriteFile(p, body, 0o644)
		},
		"temporary file, rename over": func(p string, body []byte) {
			os.WriteFile(p+".tmp", body, 0o644)
			os.Rename(p+".tmp", p)
		},
		"in place": func(p string, body []byte) { os.WriteFile(p, body, 0o644) },
	}
	for kind, save := range saves {
		for i := range 8 {
			rel := fmt.Sprintf("%s-%d.txt", strings.ReplaceAll(kind, " ", "-"), i)
			h.write(t, rel, "قبل الحفظ\nفقرة")
			h.waitTitle(t, rel, "قبل الحفظ")
			save(filepath.Join(h.dir, rel), []byte("بعد الحفظ\nفقرة"))
			h.wait(t, 2*time.Second, fmt.Sprintf("%s: save %d stored", kind, i), func() bool { return h.titles(t)[rel] == "بعد الحفظ" })
		}
	}
}

// slowRewrite writes a new file at rel in chunks over about a second,
// and reports whether the store showed title at rel before the close.
func (h *harness) slowRewrite(t *testing.T, rel, stored string) (early bool) {
	t.Helper()
	f, err := os.Create(filepath.Join(h.dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("مقال يكتب ببطء\n")
	for j := range 10 {
		time.Sleep(100 * time.Millisecond)
		fmt.Fprintf(f, "فقرة %d\n", j)
		if it, err := h.store.Article(stored); err == nil && it.Title == "مقال يكتب ببطء" {
			early = true
		}
	}
	f.Close()
	return early
}

// TestRewriteAfterDelete: a file deleted and written again slowly under
// its name is read once its writer closes it, never half-written.
func TestRewriteAfterDelete(t *testing.T) {
	h := newHarness(t, "")
	for i := range 3 {
		rel := fmt.Sprintf("r%d.txt", i)
		h.write(t, rel, "قديم\nفقرة")
		h.waitTitle(t, rel, "قديم")
		os.Remove(filepath.Join(h.dir, rel))
		if h.slowRewrite(t, rel, strings.TrimSuffix(rel, ".txt")) {
			t.Errorf("%s was stored while being written:\n%s", rel, h.log)
		}
		h.waitTitle(t, rel, "مقال يكتب ببطء")
		if it, _ := h.store.Article(strings.TrimSuffix(rel, ".txt")); len(it.Paragraphs) != 10 {
			t.Errorf("%s stored with %d paragraphs, want 10", rel, len(it.Paragraphs))
		}
	}
}

// TestRotationSlowWriter: latest.txt renamed away and a new one written
// slowly: the archive keeps the article, and the new file is read whole.
func TestRotationSlowWriter(t *testing.T) {
	h := newHarness(t, "")
	// Moved in, not written: a file written and renamed within Settle is a
	// temporary file renamed into place, and takes its new name's key.
	h.writeAt(t, "latest.txt", "الأصلي\nفقرة", time.Now())
	h.waitTitle(t, "latest.txt", "الأصلي")
	os.Rename(filepath.Join(h.dir, "latest.txt"), filepath.Join(h.dir, "archive.txt"))
	if h.slowRewrite(t, "latest.txt", "latest-2") {
		t.Errorf("the new latest.txt was stored while being written:\n%s", h.log)
	}
	h.waitTitle(t, "latest.txt", "مقال يكتب ببطء")
	h.waitTitle(t, "archive.txt", "الأصلي")
	if it, _ := h.store.Article("archive"); it.Key != "latest" {
		t.Errorf("archive.txt has key %q, want the rotated article's, latest", it.Key)
	}
}

// TestCopyThenEdit: cp a.txt b.txt and an edit of a.txt at once: a.txt
// keeps its id and date (it was edited, not moved); b.txt is new.
func TestCopyThenEdit(t *testing.T) {
	h := newHarness(t, "")
	old := time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)
	h.writeAt(t, "a.txt", "الأصل\nفقرة", old)
	h.waitTitle(t, "a.txt", "الأصل")
	first := h.published(t, "a")
	data, _ := os.ReadFile(filepath.Join(h.dir, "a.txt"))
	os.WriteFile(filepath.Join(h.dir, "b.txt"), data, 0o644)
	os.WriteFile(filepath.Join(h.dir, "a.txt"), []byte("الأصل منقحًا\nفقرة"), 0o644)
	h.waitTitle(t, "a.txt", "الأصل منقحًا")
	h.waitTitle(t, "b.txt", "الأصل")
	if a, _ := h.store.Article("a"); a.Key != "a" || !a.Published.Equal(first) {
		t.Errorf("the edited a.txt has key %q published %v, want a, %v", a.Key, a.Published, first)
	}
	if b, _ := h.store.Article("b"); b.Key != "b" {
		t.Errorf("the copy b.txt has key %q, want its own, b", b.Key)
	}
}
