package watcher

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// TestFutureDateRetried: a file dated a little ahead of the clock (a desk's
// clock ahead of the server's, a "publish at 10:00" saved early) is
// refused, then read again once its date comes, with no event and no
// rescan, and published at its date.
func TestFutureDateRetried(t *testing.T) {
	h := newHarness(t, "") // no periodic rescan
	// Dates up to a minute ahead pass for clock skew (see
	// article.FutureDateError.Due): this one is due two seconds from now.
	date := time.Now().Add(time.Minute + 2*time.Second).UTC().Truncate(time.Millisecond)
	h.write(t, "soon.md", md("قريبًا", "date: "+date.Format(time.RFC3339Nano)))
	h.waitLog(t, `path=soon.md reason="front matter date is in the future`)
	if _, ok := h.titles(t)["soon.md"]; ok {
		t.Fatalf("soon.md was published before its date:\n%s", h.log)
	}
	it := h.waitItem(t, "soon", "published once its date came", func(storage.Item) bool { return true })
	if !it.Published.Equal(date) {
		t.Errorf("published %v, want its date %v", it.Published, date)
	}
	if n := h.log.Count(`msg="file refused"`); n != 1 {
		t.Errorf("%d refusals logged, want 1:\n%s", n, h.log)
	}
	if n := h.log.Count("rescan"); n != 0 {
		t.Errorf("a rescan ran:\n%s", h.log)
	}
}

// TestRefusedOncePerVersion: a file is refused, logged and counted once
// per version of its content. A copy that sets the file's time after
// closing it (Python's shutil.copy2, cp -p, rsync -t) raises a mode-change
// event after the close, which reads the file again: the same bytes,
// refused for the same reason, are no second refusal. Here an article
// whose image is over the size limit (review 13 counted two).
func TestRefusedOncePerVersion(t *testing.T) {
	h := prepare(t, "")
	rec := newRecorder()
	h.run(t, h.watcher(t, Options{Settle: 50 * time.Millisecond, MaxMediaSize: 1000, Observer: rec,
		Logger: slog.New(slog.NewTextHandler(h.log, nil))}))
	h.write(t, "marker.txt", "علامة")
	h.write(t, "pic.jpg", strings.Repeat("x", 2000))
	h.write(t, "a.md", md("مصور", "image: pic.jpg"))
	h.waitLog(t, `msg="file refused" path=a.md reason="image too large`)
	h.waitTitle(t, "marker.txt", "علامة")
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(h.dir, "a.md"), old, old); err != nil {
		t.Fatal(err)
	}
	// The mode change has a.md read Settle after it is handled; a deletion
	// handled after it is handled Settle after that, and later still.
	h.wait(t, waitLimit, "the mode change handled", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return rec.events["chmod"] > 0
	})
	os.Remove(filepath.Join(h.dir, "marker.txt"))
	h.waitGone(t, "marker.txt")

	rec.mu.Lock()
	defer rec.mu.Unlock()
	if n := rec.refused["image_too_large"]; n != 1 || len(rec.refused) != 1 {
		t.Errorf("refusals counted %v, want image_too_large once (%s)", rec.refused, rec.summary())
	}
	if n := h.log.Count(`msg="file refused"`); n != 1 {
		t.Errorf("%d refusals logged, want 1:\n%s", n, h.log)
	}
}
