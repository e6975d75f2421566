package watcher

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// These tests run the watcher with a settle delay of an hour and wait a
// few seconds at most: each way of publishing that passes here reached
// the store without waiting for the settle delay (issue 11, section 1).

// instantHarness watches a new folder, with a subfolder sub/ watched
// from the start, with an hour's settle delay.
func instantHarness(t *testing.T) *harness {
	t.Helper()
	h := prepare(t, "")
	if err := os.Mkdir(filepath.Join(h.dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	w := h.watcher(t, Options{Settle: time.Hour})
	if w.done == nil {
		t.Skip("no close notifications on this system: the settle delay is the only way")
	}
	h.run(t, w)
	return h
}

// outside returns a file written outside the watched folder, on its file
// system, ready to be moved in.
func outside(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func rename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// TestMoveInInstant: a file moved in whole from outside is published at
// once; one moved in over a published name is an edit of that article,
// at once: same id and published date, updated later.
func TestMoveInInstant(t *testing.T) {
	h := instantHarness(t)
	rename(t, outside(t, "a.txt", "وصل كاملًا\nفقرة"), filepath.Join(h.dir, "a.txt"))
	h.waitTitle(t, "a.txt", "وصل كاملًا")
	before, _ := h.store.Article("a")
	rename(t, outside(t, "a2.txt", "بديل\nفقرة"), filepath.Join(h.dir, "a.txt"))
	h.waitTitle(t, "a.txt", "بديل")
	after, err := h.store.Article("a")
	if err != nil || after.Key != before.Key || !after.Published.Equal(before.Published) || !after.Updated.After(before.Updated) {
		t.Errorf("after a move in over a.txt: key %q published %v updated %v (%v); want key %q, published %v, updated after %v",
			after.Key, after.Published, after.Updated, err, before.Key, before.Published, before.Updated)
	}
}

// TestTempRenameInstant: a file written under each kind of temporary name
// in the folder, then renamed to its name, is published at once; renamed
// over a published name, it is an edit of that article, at once.
func TestTempRenameInstant(t *testing.T) {
	h := instantHarness(t)
	for _, pattern := range []string{".%s.txt.tmp", "%s.tmp", "%s.txt~", "%s.txt.part", ".%s.txt", "tmp%s.txt", "sub/.%s.txt.tmp"} {
		name := fmt.Sprintf("new-%d", len(h.titles(t)))
		tmp := filepath.Join(h.dir, fmt.Sprintf(pattern, name))
		if err := os.WriteFile(tmp, []byte("جديد "+pattern+"\nفقرة"), 0o644); err != nil {
			t.Fatal(err)
		}
		rename(t, tmp, filepath.Join(h.dir, name+".txt"))
		h.waitTitle(t, name+".txt", "جديد "+pattern)
		if it, err := h.store.Article(name); err != nil || it.Key != name {
			t.Errorf("%s renamed to %s.txt: key %q (%v), want %s", pattern, name, it.Key, err, name)
		}

		before, _ := h.store.Article(name)
		if err := os.WriteFile(tmp, []byte("معدل "+pattern+"\nفقرة"), 0o644); err != nil {
			t.Fatal(err)
		}
		rename(t, tmp, filepath.Join(h.dir, name+".txt"))
		h.waitTitle(t, name+".txt", "معدل "+pattern)
		if it, err := h.store.Article(name); err != nil || it.Key != name || !it.Published.Equal(before.Published) {
			t.Errorf("%s renamed over %s.txt: key %q published %v (%v), want %s, %v", pattern, name, it.Key, it.Published, err, name, before.Published)
		}
	}
	for p := range h.titles(t) {
		if filepath.Base(p)[:3] != "new" {
			t.Errorf("a temporary name was stored: %s", p)
		}
	}
}

// TestRenameInstant: a published file renamed within its folder or moved
// into a subfolder is moved at once, keeping its id and published date.
func TestRenameInstant(t *testing.T) {
	h := instantHarness(t)
	rename(t, outside(t, "a.txt", "يتنقل\nفقرة"), filepath.Join(h.dir, "a.txt"))
	h.waitTitle(t, "a.txt", "يتنقل")
	first := h.published(t, "a")
	for _, to := range []string{"b.txt", "sub/c.txt", "sub/d.txt", "e.txt"} {
		from := ""
		for p := range h.titles(t) {
			from = p
		}
		rename(t, filepath.Join(h.dir, from), filepath.Join(h.dir, to))
		h.waitFor(t, from+" moved to "+to, func(m map[string]string) bool {
			_, old := m[from]
			return m[to] == "يتنقل" && !old
		})
		if it, err := h.store.Article(to[:len(to)-4]); err != nil || it.Key != "a" || !it.Published.Equal(first) {
			t.Errorf("after the move to %s: key %q published %v (%v); want a, %v", to, it.Key, it.Published, err, first)
		}
	}
}

// TestBackupSaveInstant: a save through a backup name (vim's: the file
// renamed to name~, a new one written under the name, the backup deleted)
// is an edit, stored at once: never a removal and a new article.
func TestBackupSaveInstant(t *testing.T) {
	h := instantHarness(t)
	h.write(t, "a.txt", "قبل الحفظ\nفقرة")
	h.waitTitle(t, "a.txt", "قبل الحفظ")
	before, _ := h.store.Article("a")
	for i := range 3 {
		p := filepath.Join(h.dir, "a.txt")
		rename(t, p, p+"~")
		title := fmt.Sprintf("بعد الحفظ %d", i)
		if err := os.WriteFile(p, []byte(title+"\nفقرة"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(p + "~"); err != nil {
			t.Fatal(err)
		}
		h.waitTitle(t, "a.txt", title)
	}
	after, err := h.store.Article("a")
	if err != nil || after.Key != before.Key || !after.Published.Equal(before.Published) {
		t.Errorf("after the saves: key %q published %v (%v); want %q, %v", after.Key, after.Published, err, before.Key, before.Published)
	}
	if n := h.log.Count("article removed"); n != 0 {
		t.Errorf("the saves removed an article %d times:\n%s", n, h.log)
	}
}
