package watcher

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestNoWriterReadAtOnce: a file no process holds open for writing is
// read at once, though no close is told of it: one that arrives whole by
// a hard link, and one in a folder made a moment before (a page bundle),
// whichever comes first, the file or the folder's watch. -settle is an
// hour here: a file left to wait for it would never show.
func TestNoWriterReadAtOnce(t *testing.T) {
	h := prepare(t, "")
	h.run(t, h.watcher(t, Options{Settle: time.Hour, Logger: slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug}))}))
	outside := t.TempDir()
	link := func(rel, title string) {
		t.Helper()
		src := filepath.Join(outside, filepath.Base(rel))
		if err := os.WriteFile(src, []byte(title+"\nفقرة.\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(h.dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(src, dst); err != nil {
			t.Fatal(err)
		}
	}
	link("linked.txt", "وصل بوصلة صلبة")
	h.waitTitle(t, "linked.txt", "وصل بوصلة صلبة")
	for _, dir := range []string{"2024/05/قمة", "2024/06/قمة"} {
		link(dir+"/index.txt", "حزمة "+dir)
		h.waitTitle(t, dir+"/index.txt", "حزمة "+dir)
	}
	h.write(t, "2024/07/كتب/index.txt", "كتبت وأغلقت\nفقرة.\n")
	h.waitTitle(t, "2024/07/كتب/index.txt", "كتبت وأغلقت")
}

// TestWriterHoldsOpen: a file still open for writing in a new folder
// waits for its close, not for a lease it cannot have.
func TestWriterHoldsOpen(t *testing.T) {
	h := prepare(t, "")
	h.run(t, h.watcher(t, Options{Settle: time.Hour}))
	dir := filepath.Join(h.dir, "bundle")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "index.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("نصف عنوان"); err != nil {
		t.Fatal(err)
	}
	h.rescan(t) // the folder is watched, and the half-written file seen
	if m := h.titles(t); m["bundle/index.txt"] != "" {
		t.Fatalf("published while open for writing: %q", m["bundle/index.txt"])
	}
	if _, err := f.WriteString(" كامل\nفقرة.\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	h.waitTitle(t, "bundle/index.txt", "نصف عنوان كامل")
}
