package watcher

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// A temporary name whose creation is handled after its writer closed it,
// the close not yet read, waits -settle as a closed temporary file does:
// no lease makes it due at once, and its name never becomes an id.
func TestTempNameCreatedClosed(t *testing.T) {
	h := prepare(t, "")
	w := h.watcher(t, Options{Settle: time.Hour})
	if w.done == nil {
		t.Skip("no close notifications here")
	}
	if err := w.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(h.dir, "tmpab12cd34.txt")
	if err := os.WriteFile(tmp, []byte("عنوان\nفقرة\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.complete(context.Background(), completion{path: tmp, op: opCreated})
	if due := w.due(); slices.Contains(due, "tmpab12cd34.txt") {
		t.Fatalf("the temporary name is due at once: %q", due)
	}
	h.run(t, w) // the real events from here on
	if err := os.Rename(tmp, filepath.Join(h.dir, "final.txt")); err != nil {
		t.Fatal(err)
	}
	h.waitTitle(t, "final.txt", "عنوان")
	if it, err := h.store.Article("final"); err != nil || it.Key != "final" {
		t.Errorf("final.txt's article has key %q (%v), want final", it.Key, err)
	}
}

// An empty file just made is not complete, though no writer counts yet.
func TestEmptyNewFileWaits(t *testing.T) {
	h := prepare(t, "")
	if err := os.WriteFile(filepath.Join(h.dir, "empty.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if unwritten(h.dir, "empty.txt") {
		t.Error("an empty file counts as complete")
	}
}

// refuseWatches makes what a worker of watchAll found look as if the
// kernel had refused every watch (ENOSPC), and gives the watches back.
func refuseWatches(w *Watcher, r subtree) subtree {
	for i, d := range r.dirs {
		w.removeWatch(w.abs(d.rel))
		r.dirs[i].err = fmt.Errorf("inotify watch: %w", syscall.ENOSPC)
	}
	return r
}

// A file made between a worker's listing of a folder the kernel would not
// watch and the listing that starts its polling is published: the scan
// walks the folder itself then.
func TestPolledGapAtStart(t *testing.T) {
	h := prepare(t, "")
	h.write(t, "a/x/old.txt", "قديم\nفقرة\n")
	w := h.watcher(t, Options{Poll: 20 * time.Millisecond})
	for _, d := range []string{"a", "a/x"} {
		delete(w.dirs, d)
		w.removeWatch(w.abs(d))
	}
	w.firstWalk = &walked{}
	r := refuseWatches(w, w.watchSubtree("a")) // a worker: watch (refused), list
	h.write(t, "a/x/new.txt", "جديد\nفقرة\n")
	if err := w.adopt([]string{"a"}, []subtree{r}); err != nil {
		t.Fatal(err)
	}
	h.run(t, w)
	h.waitTitle(t, "a/x/new.txt", "جديد")
	h.waitTitle(t, "a/x/old.txt", "قديم")
}

// A file of a polled folder that a writer holds open at the start-up scan
// is read by the scan: no close will be told of it.
func TestPolledBusyAtStart(t *testing.T) {
	h := prepare(t, "")
	h.write(t, "a/x/held.txt", "مفتوح\nفقرة\n")
	f, err := os.OpenFile(filepath.Join(h.dir, "a/x/held.txt"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := h.watcher(t, Options{Poll: 20 * time.Millisecond})
	delete(w.dirs, "a/x")
	w.removeWatch(w.abs("a/x"))
	if err := w.noteWatch("a/x", w.abs("a/x"), fmt.Errorf("inotify watch: %w", syscall.ENOSPC)); err != nil {
		t.Fatal(err)
	}
	h.run(t, w)
	h.waitTitle(t, "a/x/held.txt", "مفتوح")
}

// A subfolder that cannot be watched for another reason than the kernel's
// limit (gone, or not readable) does not stop the watcher.
func TestSubfolderWatchFails(t *testing.T) {
	h := prepare(t, "")
	w := h.watcher(t, Options{})
	if err := w.noteWatch("gone", w.abs("gone"), fmt.Errorf("inotify watch: %w", syscall.ENOENT)); err != nil {
		t.Errorf("a subfolder's watch error stops the watcher: %v", err)
	}
	if err := w.noteWatch(".", w.abs("."), fmt.Errorf("inotify watch: %w", syscall.EACCES)); err == nil {
		t.Error("the seeds folder's watch error is no error")
	}
	w.Close()
}
