package watcher

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// md is a Markdown article titled title with the front-matter lines front.
func md(title string, front ...string) string {
	return "---\ntitle: " + title + "\n" + strings.Join(front, "\n") + "\n---\nفقرة أولى من " + title + ".\n"
}

// waitItem waits until the article at slug is stored and cond holds for it.
func (h *harness) waitItem(tb testing.TB, slug, what string, cond func(storage.Item) bool) storage.Item {
	tb.Helper()
	var it storage.Item
	h.wait(tb, waitLimit, slug+" "+what, func() bool {
		var err error
		it, err = h.store.Article(slug)
		return err == nil && cond(it)
	})
	return it
}

// rescan has h's watcher scan the folder and waits for it to finish.
func (h *harness) rescan(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := h.w.Rescan(ctx); err != nil {
		tb.Fatalf("Rescan = %v", err)
	}
}

// TestDraftLive: a draft is not published; a published article that
// becomes one is unpublished; when it stops being one it is published
// at that moment, with the same id, even with the very bytes it had
// before (no restore of its old dates). Each draft is logged once per
// version, not on each rescan.
func TestDraftLive(t *testing.T) {
	h := newHarness(t, "")
	h.write(t, "a.md", md("مسودة", "draft: true"))
	h.waitLog(t, `msg="draft: not published" path=a.md`)
	h.rescan(t)
	h.write(t, "a.md", md("مسودة", "draft: true")) // the same bytes, a new time
	h.rescan(t)
	if n := h.log.Count("draft: not published", "path=a.md"); n != 1 {
		t.Errorf("the draft logged %d times, want once:\n%s", n, h.log)
	}
	if m := h.titles(t); len(m) != 0 {
		t.Fatalf("stored %q, want nothing: a draft", m)
	}

	before := time.Now().Truncate(time.Millisecond)
	h.write(t, "a.md", md("مسودة"))
	first := h.waitItem(t, "a", "published", func(storage.Item) bool { return true })
	if first.Key != "a" || first.Published.Before(before) {
		t.Errorf("published from a draft: key %q at %v; want a, at or after %v", first.Key, first.Published, before)
	}

	h.write(t, "a.md", md("مسودة", "draft: true"))
	h.waitGone(t, "a.md")
	h.waitLog(t, `msg="draft: unpublished" path=a.md`)

	h.write(t, "a.md", md("مسودة")) // as first published
	again := h.waitItem(t, "a", "published again", func(storage.Item) bool { return true })
	if again.Key != "a" || !again.Published.After(first.Published) {
		t.Errorf("published again: key %q at %v; want a, after %v (that moment, not restored)", again.Key, again.Published, first.Published)
	}
}

// TestDraftAcrossRestart: the same, each step seen by a start-up scan.
func TestDraftAcrossRestart(t *testing.T) {
	h := prepare(t, "")
	h.write(t, "a.md", md("مسودة", "draft: true"))
	h.write(t, "b.md", md("منشور"))
	scanOnce(t, h.dir, h.store, h.log)
	if m := h.titles(t); len(m) != 1 || m["b.md"] == "" {
		t.Fatalf("stored %q, want b.md only", m)
	}
	if !strings.Contains(h.log.String(), "published=1 ") || !strings.Contains(h.log.String(), "drafts=1 ") {
		t.Errorf("the scan's summary does not count one draft:\n%s", h.log)
	}

	h.write(t, "b.md", md("منشور", "draft: true"))
	scanOnce(t, h.dir, h.store, h.log)
	if m := h.titles(t); len(m) != 0 {
		t.Fatalf("stored %q, want nothing: both drafts", m)
	}

	h.write(t, "a.md", md("مسودة", "date: 2024-03-01"))
	h.write(t, "b.md", md("منشور"))
	scanOnce(t, h.dir, h.store, h.log)
	for _, slug := range []string{"a", "b"} {
		it, err := h.store.Article(slug)
		if err != nil || it.Key != slug {
			t.Errorf("%s back from draft: %+v, %v; want key %s", slug, it, err, slug)
		}
	}
	if got, want := h.published(t, "a"), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("a published %v, want its date %v", got, want)
	}
}

// TestExplicitDate: date sets the published date, read in Location; an
// edit of it is an edit of the same article, live and across a restart;
// restored, it keeps it.
func TestExplicitDate(t *testing.T) {
	h := prepare(t, "")
	riyadh := time.FixedZone("AST", 3*3600)
	opts := Options{Settle: 50 * time.Millisecond, Location: riyadh}
	h.run(t, h.watcher(t, opts))
	h.write(t, "desk/a.md", md("مؤرخ", "date: 2024-03-01"))
	march := time.Date(2024, 3, 1, 0, 0, 0, 0, riyadh)
	it := h.waitItem(t, "desk/a", "published", func(storage.Item) bool { return true })
	if !it.Published.Equal(march) || it.Updated.Before(it.Published) {
		t.Errorf("published %v, updated %v; want %v, updated not before", it.Published, it.Updated, march)
	}

	h.write(t, "desk/a.md", md("مؤرخ", "date: 2024-04-02T10:00:00Z"))
	april := time.Date(2024, 4, 2, 10, 0, 0, 0, time.UTC)
	it = h.waitItem(t, "desk/a", "redated", func(it storage.Item) bool { return it.Published.Equal(april) })
	if it.Key != "desk/a" || it.Updated.Before(april) {
		t.Errorf("after the date edit: key %q, updated %v; want desk/a, not before %v", it.Key, it.Updated, april)
	}
	// The log line follows the write: wait for it before counting.
	h.waitLog(t, "article updated")
	if h.log.Count("article updated", "path=desk/a.md") != 1 || h.log.Count("article published") != 1 {
		t.Errorf("a date edit is not one update of one article:\n%s", h.log)
	}

	// Removed, then back under another name: restored, at its date.
	content, _ := os.ReadFile(filepath.Join(h.dir, "desk", "a.md"))
	os.Remove(filepath.Join(h.dir, "desk", "a.md"))
	h.waitGone(t, "desk/a.md")
	rename(t, outside(t, "b.md", string(content)), filepath.Join(h.dir, "b.md"))
	it = h.waitItem(t, "b", "restored", func(storage.Item) bool { return true })
	if it.Key != "desk/a" || !it.Published.Equal(april) {
		t.Errorf("restored: key %q, published %v; want desk/a, %v", it.Key, it.Published, april)
	}
}

// TestDateEditWhileDown: an edit of date while no daemon runs moves the
// published date, same id.
func TestDateEditWhileDown(t *testing.T) {
	h := prepare(t, "")
	h.write(t, "a.md", md("مؤرخ", "date: 2024-03-01"))
	scanOnce(t, h.dir, h.store, nil)
	h.write(t, "a.md", md("مؤرخ", "date: 2023-12-31"))
	scanOnce(t, h.dir, h.store, nil)
	it, err := h.store.Article("a")
	if want := time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC); err != nil || it.Key != "a" || !it.Published.Equal(want) {
		t.Errorf("after the edit: %+v, %v; want key a, published %v", it, err, want)
	}
}

// imageSize is the size of the image of the stored article at slug, or
// -1 when it has none (and MissingImage names it).
func imageSize(it storage.Item) int64 {
	if it.Image == nil {
		return -1
	}
	return it.Image.Size
}

// TestImageLive: a local image's arrival, change and removal reach the
// article that shows it; one over MaxMediaSize refuses the article, whose
// published version stays, until the image is cut down.
func TestImageLive(t *testing.T) {
	h := prepare(t, "")
	h.run(t, h.watcher(t, Options{Settle: 50 * time.Millisecond, MaxMediaSize: 1000,
		Logger: slog.New(slog.NewTextHandler(h.log, nil))}))
	h.write(t, "desk/a.md", md("مصور", "image: صورة.jpg", "image_alt: غلاف"))
	it := h.waitItem(t, "desk/a", "published", func(storage.Item) bool { return true })
	if it.Image != nil || it.MissingImage != "desk/صورة.jpg" {
		t.Errorf("published with image %+v, missing %q; want none, desk/صورة.jpg missing", it.Image, it.MissingImage)
	}
	h.waitLog(t, `msg="image missing; article published without it" path=desk/a.md image=desk/صورة.jpg reason="no such file"`)

	for _, step := range []struct {
		size int64 // written; -1 removes it
		want int64 // the size stored
	}{{100, 100}, {200, 200}, {2000, 200}, {300, 300}, {-1, -1}} {
		p := filepath.Join(h.dir, "desk", "صورة.jpg")
		if step.size < 0 {
			os.Remove(p)
		} else {
			h.write(t, "desk/صورة.jpg", strings.Repeat("x", int(step.size)))
		}
		if step.size == 2000 {
			h.waitLog(t, `msg="file refused" path=desk/a.md reason="image too large: desk/صورة.jpg is 2000 bytes`)
		}
		it = h.waitItem(t, "desk/a", fmt.Sprintf("with an image of %d bytes", step.want), func(it storage.Item) bool {
			return imageSize(it) == step.want
		})
	}
	if it.Image != nil || it.MissingImage != "desk/صورة.jpg" {
		t.Errorf("image removed: %+v, missing %q", it.Image, it.MissingImage)
	}
	if n := h.log.Count("image missing", "path=desk/a.md"); n != 2 {
		t.Errorf("%d warnings of a missing image, want 2 (before it came, after it went):\n%s", n, h.log)
	}
}

// TestImageWhileDown: an image that arrives or goes while no daemon runs
// reaches its article at the next start, though the article's file is
// as it was.
func TestImageWhileDown(t *testing.T) {
	h := prepare(t, "")
	h.write(t, "a.md", md("مصور", "image: pic.png"))
	scanOnce(t, h.dir, h.store, nil)
	h.write(t, "pic.png", "png")
	scanOnce(t, h.dir, h.store, nil)
	if it, err := h.store.Article("a"); err != nil || imageSize(it) != 3 {
		t.Fatalf("after the image came: %+v, %v; want an image of 3 bytes", it, err)
	}
	os.Remove(filepath.Join(h.dir, "pic.png"))
	scanOnce(t, h.dir, h.store, nil)
	if it, err := h.store.Article("a"); err != nil || it.Image != nil || it.MissingImage != "pic.png" {
		t.Fatalf("after the image went: %+v, %v; want none", it, err)
	}
}

// TestUnknownKeysOnce: unknown front-matter keys are logged once per
// version of the file, and kept out of nothing else.
func TestUnknownKeysOnce(t *testing.T) {
	h := newHarness(t, "")
	h.write(t, "a.md", md("مجهول", "layout: post", "weight: 3"))
	h.waitTitle(t, "a.md", "مجهول")
	h.waitLog(t, `msg="unknown front-matter keys" path=a.md keys="[layout weight]"`)
	h.write(t, "a.md", md("مجهول", "layout: post", "weight: 3")) // the same bytes
	h.rescan(t)
	h.rescan(t)
	if n := h.log.Count("unknown front-matter keys"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, h.log)
	}
	h.write(t, "a.md", md("مجهول ثان", "layout: post", "weight: 3"))
	h.waitTitle(t, "a.md", "مجهول ثان")
	h.waitLog(t, `level=WARN msg="unknown front-matter keys" path=a.md`)
	if n := h.log.Count("unknown front-matter keys"); n != 2 {
		t.Errorf("logged %d times, want twice (two versions):\n%s", n, h.log)
	}
}

// TestDroppedLinksOnce: links to nothing seedfeed serves are named once
// per version, and a front matter of many unknown keys logs a short line.
func TestDroppedLinksOnce(t *testing.T) {
	h := newHarness(t, "")
	keys := make([]string, 500)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%03d: %d", i, i)
	}
	h.write(t, "a.md", md("روابط", keys...)+"\n[تقرير](report.pdf) و[قسم](../desk/) و[خبر](b.md)\n")
	h.waitTitle(t, "a.md", "روابط")
	h.waitLog(t, `msg="links to nothing seedfeed serves; their text is kept" path=a.md links="[report.pdf ../desk/]"`)
	h.waitLog(t, `msg="unknown front-matter keys" path=a.md`)
	var line string
	for l := range strings.Lines(h.log.String()) {
		if strings.Contains(l, "unknown front-matter keys") {
			line = l
		}
	}
	if !strings.Contains(line, "k019]") || strings.Contains(line, "k020") || !strings.Contains(line, "more=480") {
		t.Errorf("unknown keys line names 20 keys and 480 more? %s", line)
	}
	h.rescan(t)
	if n := h.log.Count("links to nothing seedfeed serves"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, h.log)
	}
}

// TestMarkdownTextSameSlug: a.md and a.txt would share a URL: the second
// is refused as bad_name, live or in a scan.
func TestMarkdownTextSameSlug(t *testing.T) {
	t.Run("live", func(t *testing.T) {
		h := newHarness(t, "")
		h.write(t, "dup.md", md("الأول"))
		h.waitTitle(t, "dup.md", "الأول")
		h.write(t, "dup.txt", "الثاني\nفقرة")
		h.waitLog(t, "path=dup.txt reason=")
		checkRefused(t, h, "dup.txt", "dup.md")
	})
	t.Run("scan", func(t *testing.T) {
		h := prepare(t, "")
		h.write(t, "dup.txt", "الثاني\nفقرة")
		h.write(t, "dup.md", md("الأول"))
		scanOnce(t, h.dir, h.store, h.log)
		checkRefused(t, h, "dup.txt", "dup.md") // in the order of the walk
	})
}

// TestImageFolderRenamed: a folder renamed with an article and its image
// moves the article (same id) and, read again, its image's new path.
func TestImageFolderRenamed(t *testing.T) {
	h := newHarness(t, "")
	h.write(t, "desk/pic.jpg", "jpeg")
	h.write(t, "desk/a.md", md("مصور", "image: pic.jpg"))
	h.waitItem(t, "desk/a", "with its image", func(it storage.Item) bool { return imageSize(it) == 4 })
	rename(t, filepath.Join(h.dir, "desk"), filepath.Join(h.dir, "desk2"))
	it := h.waitItem(t, "desk2/a", "with its image's new path", func(it storage.Item) bool {
		return it.Image != nil && it.Image.Path == "desk2/pic.jpg"
	})
	if it.Key != "desk/a" || it.Image.Size != 4 {
		t.Errorf("after the folder rename: key %q, image %+v; want desk/a, 4 bytes", it.Key, it.Image)
	}
}
