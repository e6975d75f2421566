package watcher

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// TestRenameOverPublished: a published file renamed over another
// published one is an edit of that one (same id and published date,
// updated later, the moved file's text) and a removal of the one moved,
// which comes back under its own id if its content returns (issue 11:
// a MOVED_TO onto a published name replaces that article).
func TestRenameOverPublished(t *testing.T) {
	h := instantHarness(t)
	rename(t, outside(t, "draft.txt", "مسودة\nفقرة"), filepath.Join(h.dir, "draft.txt"))
	rename(t, outside(t, "final.txt", "نهائي\nفقرة"), filepath.Join(h.dir, "final.txt"))
	h.waitTitle(t, "draft.txt", "مسودة")
	h.waitTitle(t, "final.txt", "نهائي")
	before, _ := h.store.Article("final")

	rename(t, filepath.Join(h.dir, "draft.txt"), filepath.Join(h.dir, "final.txt"))
	h.waitFor(t, "draft.txt renamed over final.txt", func(m map[string]string) bool {
		_, draft := m["draft.txt"]
		return m["final.txt"] == "مسودة" && !draft
	})
	after, err := h.store.Article("final")
	if err != nil || after.Key != before.Key || !after.Published.Equal(before.Published) || !after.Updated.After(before.Updated) {
		t.Errorf("final after draft.txt renamed over it: key %q published %v updated %v (%v); want key %q, published %v, updated after %v",
			after.Key, after.Published, after.Updated, err, before.Key, before.Published, before.Updated)
	}
	if it, err := h.store.Article("draft"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Article(draft) = %+v, %v; want ErrNotFound", it, err)
	}
	h.waitLog(t, "path=draft.txt into=final.txt")
	if n := h.log.Count(`msg="article updated" path=final.txt`); n != 1 {
		t.Errorf("%d lines say final.txt was updated, want 1", n)
	}
	if n := h.log.Count(`msg="article removed" path=draft.txt`); n != 1 {
		t.Errorf("%d lines say draft.txt was removed, want 1", n)
	}
	if n := h.log.Count(`msg="article moved"`); n != 0 {
		t.Errorf("%d lines say an article moved, want none", n)
	}

	rename(t, outside(t, "back.txt", "مسودة\nفقرة"), filepath.Join(h.dir, "back.txt"))
	h.waitTitle(t, "back.txt", "مسودة")
	if it, err := h.store.Article("back"); err != nil || it.Key != "draft" {
		t.Errorf("the draft's content back as back.txt: key %q (%v), want draft", it.Key, err)
	}
}

// TestRenameThenNewEmptyFile: a published file renamed, and a new file
// created under its old name and not yet written, as log rotation does:
// the kernel paired the rename's halves, so the article moves, whatever
// the new file holds for now.
func TestRenameThenNewEmptyFile(t *testing.T) {
	h := instantHarness(t)
	rename(t, outside(t, "latest.txt", "الأصلي\nفقرة"), filepath.Join(h.dir, "latest.txt"))
	h.waitTitle(t, "latest.txt", "الأصلي")
	rename(t, filepath.Join(h.dir, "latest.txt"), filepath.Join(h.dir, "archive.txt"))
	f, err := os.Create(filepath.Join(h.dir, "latest.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h.waitTitle(t, "archive.txt", "الأصلي")
	if it, err := h.store.Article("archive"); err != nil || it.Key != "latest" {
		t.Errorf("archive.txt has key %q (%v), want the renamed article's, latest", it.Key, err)
	}
}

// TestFolderRename: a folder moved in from outside is published at once;
// renamed within the seeds folder, its articles move with it at once,
// each keeping its id, published and updated dates, two files of the same
// content included: no removal, no restore.
func TestFolderRename(t *testing.T) {
	for _, tc := range []struct {
		name    string
		harness func(t *testing.T) *harness
	}{
		{"an hour's settle", instantHarness},                                      // nothing may wait for it
		{"settle 50ms", func(t *testing.T) *harness { return newHarness(t, "") }}, // nor pass for a fix
	} {
		t.Run(tc.name, func(t *testing.T) { testFolderRename(t, tc.harness(t)) })
	}
}

func testFolderRename(t *testing.T, h *harness) {
	src := filepath.Join(t.TempDir(), "fA")
	files := map[string]string{"a.txt": "توأم\nفقرة", "b.txt": "توأم\nفقرة", "c.txt": "ثالث\nفقرة"}
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rename(t, src, filepath.Join(h.dir, "fA"))
	h.waitFor(t, "the three files of fA", func(m map[string]string) bool { return len(m) == 3 })
	before := make(map[string]storage.Item)
	for name := range files {
		it, err := h.store.Article("fA/" + name[:1])
		if err != nil {
			t.Fatal(err)
		}
		before[name] = it
	}

	rename(t, filepath.Join(h.dir, "fA"), filepath.Join(h.dir, "fB"))
	h.waitFor(t, "fA's articles under fB", func(m map[string]string) bool {
		return len(m) == 3 && m["fB/a.txt"] != "" && m["fB/b.txt"] != "" && m["fB/c.txt"] != ""
	})
	for name, was := range before {
		it, err := h.store.Article("fB/" + name[:1])
		if err != nil || it.Key != was.Key || !it.Published.Equal(was.Published) || !it.Updated.Equal(was.Updated) {
			t.Errorf("fB/%s: key %q published %v updated %v (%v); want %q, %v, %v",
				name, it.Key, it.Published, it.Updated, err, was.Key, was.Published, was.Updated)
		}
	}
	for _, msg := range []string{"article removed", "article restored", "article published path=fB"} {
		if n := h.log.Count(msg); n > 0 {
			t.Errorf("%d lines say %q", n, msg)
		}
	}
	// fB is watched: a file written there is published at once.
	h.write(t, "fB/d.txt", "رابع\nفقرة")
	h.waitTitle(t, "fB/d.txt", "رابع")
	if h.w.opts.Settle > time.Second {
		return
	}
	// Moved out of the seeds folder: its articles are removed, after Settle.
	rename(t, filepath.Join(h.dir, "fB"), filepath.Join(t.TempDir(), "fC"))
	h.wait(t, waitLimit, "fB's 4 articles removed", func() bool {
		return len(h.titles(t)) == 0 && h.log.Count(`msg="article removed" path=fB/`) == 4
	})
}
