package watcher

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSlugTaken: two files whose names differ only in the case of their
// suffix would share one URL: the second is refused as bad_name, once,
// naming the file that holds the URL, whether it comes live or in a
// scan. A file renamed to another case of its suffix keeps its article.
func TestSlugTaken(t *testing.T) {
	t.Run("live", func(t *testing.T) {
		h := instantHarness(t)
		rename(t, outside(t, "dup.txt", "الأول\nفقرة"), filepath.Join(h.dir, "dup.txt"))
		h.waitTitle(t, "dup.txt", "الأول")
		rename(t, outside(t, "dup.TXT", "الثاني\nفقرة"), filepath.Join(h.dir, "dup.TXT"))
		h.waitLog(t, "path=dup.TXT reason=")
		rename(t, outside(t, "other.txt", "آخر\nفقرة"), filepath.Join(h.dir, "other.txt"))
		h.waitTitle(t, "other.txt", "آخر")
		checkRefused(t, h, "dup.TXT", "dup.txt")

		rename(t, filepath.Join(h.dir, "other.txt"), filepath.Join(h.dir, "other.TXT"))
		h.waitTitle(t, "other.TXT", "آخر")
		if it, err := h.store.Article("other"); err != nil || it.Key != "other" || it.Path != "other.TXT" {
			t.Errorf("other.txt renamed to other.TXT: key %q path %q (%v), want other, other.TXT", it.Key, it.Path, err)
		}
	})
	t.Run("scan", func(t *testing.T) {
		h := prepare(t, "")
		h.write(t, "dup.TXT", "الثاني\nفقرة")
		h.write(t, "dup.txt", "الأول\nفقرة")
		scanOnce(t, h.dir, h.store, h.log)
		if m := h.titles(t); len(m) != 1 {
			t.Fatalf("stored %q, want one of dup.txt and dup.TXT", m)
		}
		kept, refused := "dup.TXT", "dup.txt" // in the order of the walk
		checkRefused(t, h, refused, kept)
	})
}

// checkRefused checks that rel was refused once, as bad_name, for the URL
// of holder, and that rel is not stored.
func checkRefused(t *testing.T, h *harness, rel, holder string) {
	t.Helper()
	if _, ok := h.titles(t)[rel]; ok {
		t.Errorf("%s was stored", rel)
	}
	lines := h.log.Count(`msg="file refused" path=` + rel + " ")
	taken := h.log.Count("path="+rel+" ", "bad file name", "is taken by "+holder)
	if lines != 1 || taken != 1 {
		t.Errorf("%s refused in %d lines, %d naming %s; want 1, 1; log:\n%s", rel, lines, taken, holder, h.log)
	}
	if strings.Contains(h.log.String(), "level=ERROR") {
		t.Errorf("an error was logged:\n%s", h.log)
	}
}
