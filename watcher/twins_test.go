package watcher

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTwinPublishedWhenHolderGoes: a file refused because another holds
// its URL (twin.txt and twin.md, dup.txt and dup.TXT) is published as soon
// as that file stops holding it: deleted, renamed, moved out of the seeds
// folder, or a draft now. Converting x.txt to Markdown by writing x.md and
// deleting x.txt must not leave the article unpublished.
func TestTwinPublishedWhenHolderGoes(t *testing.T) {
	for _, tc := range []struct {
		name, holder, twin string
		free               func(t *testing.T, h *harness, holder string)
	}{
		{"deleted", "twin.txt", "twin.md", func(t *testing.T, h *harness, holder string) {
			os.Remove(filepath.Join(h.dir, holder))
		}},
		{"renamed", "dup.txt", "dup.TXT", func(t *testing.T, h *harness, holder string) {
			rename(t, filepath.Join(h.dir, holder), filepath.Join(h.dir, "other.txt"))
			h.waitTitle(t, "other.txt", "الحامل")
		}},
		{"moved out", "desk/twin.md", "desk/twin.txt", func(t *testing.T, h *harness, holder string) {
			rename(t, filepath.Join(h.dir, holder), filepath.Join(t.TempDir(), "twin.md"))
		}},
		{"a draft now", "twin.md", "twin.TXT", func(t *testing.T, h *harness, holder string) {
			h.write(t, holder, md("الحامل", "draft: true"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, "")
			h.write(t, tc.holder, md("الحامل"))
			h.waitTitle(t, tc.holder, "الحامل")
			h.write(t, tc.twin, md("التوأم"))
			h.waitLog(t, "path="+tc.twin+" reason=")
			checkRefused(t, h, tc.twin, tc.holder)
			tc.free(t, h, tc.holder)
			h.waitTitle(t, tc.twin, "التوأم")
			if n := h.log.Count(`msg="file refused"`); n != 1 {
				t.Errorf("%d refusals logged, want 1:\n%s", n, h.log)
			}
		})
	}
}

// TestTwinPublishedByRescan: where no event told that the holder went
// (here, its deletion still waits for an hour's settle delay), a rescan
// publishes the twin, and so does the next start.
func TestTwinPublishedByRescan(t *testing.T) {
	t.Run("rescan", func(t *testing.T) {
		h := instantHarness(t)
		rename(t, outside(t, "twin.txt", "الحامل\nفقرة"), filepath.Join(h.dir, "twin.txt"))
		h.waitTitle(t, "twin.txt", "الحامل")
		rename(t, outside(t, "twin.md", md("التوأم")), filepath.Join(h.dir, "twin.md"))
		h.waitLog(t, "path=twin.md reason=")
		os.Remove(filepath.Join(h.dir, "twin.txt"))
		h.rescan(t)
		if m := h.titles(t); len(m) != 1 || m["twin.md"] != "التوأم" {
			t.Errorf("after the rescan: stored %q, want twin.md only:\n%s", m, h.log)
		}
	})
	t.Run("start-up", func(t *testing.T) {
		h := prepare(t, "")
		h.write(t, "dup.txt", "الحامل\nفقرة")
		h.write(t, "dup.TXT", "التوأم\nفقرة")
		scanOnce(t, h.dir, h.store, h.log)
		holder := "dup.TXT" // first in the walk
		os.Remove(filepath.Join(h.dir, holder))
		scanOnce(t, h.dir, h.store, h.log)
		if m := h.titles(t); len(m) != 1 || m["dup.txt"] != "الحامل" {
			t.Errorf("after the start: stored %q, want dup.txt only:\n%s", m, h.log)
		}
	})
}
