package watcher

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// These tests are about an article's date: when it arrived (issue 11,
// section 2).

// TestCopyKeepingTimeDatedNow: cp -p of a file modified an hour ago into
// a running watcher is dated when it arrived, and is the newest entry.
func TestCopyKeepingTimeDatedNow(t *testing.T) {
	h := newHarness(t, "")
	h.write(t, "earlier.txt", "سابق\nفقرة")
	h.waitTitle(t, "earlier.txt", "سابق")
	src := filepath.Join(t.TempDir(), "prepared.txt")
	if err := os.WriteFile(src, []byte("أعد قبل ساعة\nفقرة"), 0o644); err != nil {
		t.Fatal(err)
	}
	hourAgo := time.Now().Add(-time.Hour)
	if err := os.Chtimes(src, hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}
	before := time.Now().Truncate(time.Millisecond)
	if out, err := exec.Command("cp", "-p", src, filepath.Join(h.dir, "prepared.txt")).CombinedOutput(); err != nil {
		t.Fatalf("cp -p: %v\n%s", err, out)
	}
	h.waitTitle(t, "prepared.txt", "أعد قبل ساعة")
	it, err := h.store.Article("prepared")
	if err != nil || it.Published.Before(before) || it.Published.After(time.Now()) {
		t.Errorf("prepared.txt published %v (%v); want when it arrived, after %v", it.Published, err, before)
	}
	newest, err := h.store.Newest(1)
	if err != nil || len(newest) != 1 || newest[0].Path != "prepared.txt" {
		t.Errorf("Newest(1) = %+v, %v; want prepared.txt", newest, err)
	}
}

// TestFirstImportKeepsHistory: the first import into an empty database
// dates each file by its modification time.
func TestFirstImportKeepsHistory(t *testing.T) {
	h := prepare(t, "")
	old := time.Date(2023, 5, 6, 7, 8, 9, 123e6, time.UTC)
	for i, name := range []string{"a.txt", "sub/b.txt"} {
		h.write(t, name, "تاريخ "+name)
		mtime := old.Add(time.Duration(i) * time.Hour)
		if err := os.Chtimes(filepath.Join(h.dir, name), mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	scanOnce(t, h.dir, h.store, nil)
	for i, slug := range []string{"a", "sub/b"} {
		if got, want := h.published(t, slug), old.Add(time.Duration(i)*time.Hour); !got.Equal(want) {
			t.Errorf("%s published %v, want its modification time %v", slug, got, want)
		}
	}
}

// TestArrivedWhileDown: files that arrived while no watcher ran are dated
// by their modification time when it is later than the last run, else by
// the moment the start-up scan found them.
func TestArrivedWhileDown(t *testing.T) {
	h := prepare(t, "")
	h.write(t, "known.txt", "معروف")
	scanOnce(t, h.dir, h.store, nil)
	lastRun := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Millisecond)
	if err := h.store.NoteRun(lastRun); err != nil {
		t.Fatal(err)
	}
	recorded, err := h.store.LastRun()
	if err != nil || !recorded.Equal(lastRun) {
		t.Fatalf("LastRun = %v, %v; want %v", recorded, err, lastRun)
	}
	// Written while down: modified after the last run.
	written := lastRun.Add(30 * time.Minute)
	h.write(t, "written.txt", "كتب والخادم متوقف")
	os.Chtimes(filepath.Join(h.dir, "written.txt"), written, written)
	// Copied in while down, its old time kept; and one dated 1970.
	for name, mtime := range map[string]time.Time{"copied.txt": lastRun.Add(-24 * time.Hour), "epoch.txt": time.Unix(0, 0)} {
		src := filepath.Join(t.TempDir(), name)
		os.WriteFile(src, []byte("نسخ "+name), 0o644)
		os.Chtimes(src, mtime, mtime)
		if out, err := exec.Command("cp", "-p", src, filepath.Join(h.dir, name)).CombinedOutput(); err != nil {
			t.Fatalf("cp -p: %v\n%s", err, out)
		}
	}
	scanStart := time.Now().Truncate(time.Millisecond)
	w := h.watcher(t, Options{LastRun: recorded})
	defer w.Close()
	if err := w.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := h.published(t, "written"); !got.Equal(written) {
		t.Errorf("written.txt published %v, want its modification time %v", got, written)
	}
	for _, slug := range []string{"copied", "epoch"} {
		if got := h.published(t, slug); got.Before(scanStart) || got.After(time.Now()) {
			t.Errorf("%s.txt published %v, want when the scan found it (after %v)", slug, got, scanStart)
		}
	}
}

// TestRenameWhileDownKeepsDates: a file renamed while no watcher ran is
// found at its new name by the next start-up scan with its id, published
// and updated dates: its content did not change.
func TestRenameWhileDownKeepsDates(t *testing.T) {
	h := prepare(t, "")
	h.writeAt(t, "a.txt", "نقل والخادم متوقف\nفقرة", time.Now().Add(-time.Hour))
	scanOnce(t, h.dir, h.store, nil)
	before, err := h.store.Article("a")
	if err != nil {
		t.Fatal(err)
	}
	rename(t, filepath.Join(h.dir, "a.txt"), filepath.Join(h.dir, "a-renamed.txt"))
	w := h.watcher(t, Options{LastRun: time.Now()}) // a daemon ran since the file's date
	defer w.Close()
	if err := w.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	after, err := h.store.Article("a-renamed")
	if err != nil || after.Key != "a" || !after.Published.Equal(before.Published) || !after.Updated.Equal(before.Updated) {
		t.Errorf("after the rename: key %q published %v updated %v (%v); want a, %v, %v",
			after.Key, after.Published, after.Updated, err, before.Published, before.Updated)
	}
}
