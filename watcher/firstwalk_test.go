package watcher

import (
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
)

// TestWalkOrder: walkOrder sorts paths as filepath.WalkDir meets them.
func TestWalkOrder(t *testing.T) {
	h := prepare(t, "")
	for _, p := range []string{"b.txt", "b/x.txt", "b/a/y.txt", "b-c.txt", "a.txt", "ب/ت.txt", "ب.txt", "B.txt", "b/x/z.txt", "b/xa.txt", "b/x.md/q.txt"} {
		h.write(t, p, "عنوان\nفقرة\n")
	}
	var want []string
	if err := filepath.WalkDir(h.dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			r, _ := relTo(h.dir, p)
			want = append(want, r)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got := slices.Clone(want)
	rand.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
	slices.SortFunc(got, walkOrder)
	if !slices.Equal(got, want) {
		t.Errorf("sorted by walkOrder:\n%q\nWalkDir's order:\n%q", got, want)
	}
}

// TestStartupScanOrder: files found by the walks side by side at start-up
// are stored in the walk's order, so a URL two files would share goes to
// the first in that order, whatever the timing.
func TestStartupScanOrder(t *testing.T) {
	for range 5 {
		h := prepare(t, "")
		for i := range 60 {
			// At the top (a file the walk above the subtrees finds, a
			// bundle a worker finds) and deeper (both in one subtree).
			dir := string(rune('a' + i%20))
			if i >= 20 {
				dir = filepath.Join("قسم", string(rune('a'+i%20)), string(rune('a'+i/40)))
			}
			h.write(t, filepath.ToSlash(filepath.Join(dir, "index.txt")), "حزمة\nفقرة\n")
			h.write(t, filepath.ToSlash(dir)+".md", "---\ntitle: ملف\n---\nنص\n")
		}
		h.run(t, h.watcher(t, Options{}))
		for p, title := range h.titles(t) {
			if title != "حزمة" {
				t.Fatalf("%s (%q) holds a URL its bundle, first in walk order, should", p, title)
			}
		}
	}
}
