package watcher

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seedfeed/seedfeed/storage"
)

// The same bytes mean another article in the other format: renamed from
// .txt to .md (or the reverse, in any case), a file is parsed anew.

const (
	// bold is an article whose text is Markdown: plain text shows the
	// asterisks, Markdown makes them <strong>.
	bold = "عنوان تحويل\n\nفقرة **عريضة** هنا.\n"
	// tagged is a Markdown article with tags, which a .txt also reads
	// from its front matter, and emphasis, which it does not.
	tagged = "---\ntitle: عكسي\ntags: [x]\n---\n\nنص *مائل*.\n"
)

// markdown reports whether it is bold or tagged read as Markdown.
func markdown(it storage.Item) bool {
	return strings.Contains(it.Body, "<strong>") || strings.Contains(it.Body, "<em>")
}

// checkReparsed checks that the article at slug is before, renamed to
// path and parsed in its new format (asMarkdown): the same id and
// published date, a later updated date.
func checkReparsed(t *testing.T, h *harness, before storage.Item, slug, path string, asMarkdown bool) storage.Item {
	t.Helper()
	it := h.waitItem(t, slug, "parsed anew at "+path, func(it storage.Item) bool {
		return it.Path == path && markdown(it) == asMarkdown
	})
	if it.Key != before.Key || !it.Published.Equal(before.Published) || !it.Updated.After(before.Updated) {
		t.Errorf("%s: key %q published %v updated %v; want key %q, published %v, updated after %v",
			path, it.Key, it.Published, it.Updated, before.Key, before.Published, before.Updated)
	}
	if !asMarkdown && (it.Body != "" || !slices.ContainsFunc(it.Paragraphs, func(p string) bool { return strings.Contains(p, "*") })) {
		t.Errorf("%s read as plain text: body %q, paragraphs %q; want no body, the asterisks as written", path, it.Body, it.Paragraphs)
	}
	return it
}

// TestFormatChangeLive: renames seen live between the formats, within a
// folder and into a subfolder, each an edit of the same article; a
// folder renamed after keeps what its article became.
func TestFormatChangeLive(t *testing.T) {
	h := instantHarness(t)
	rename(t, outside(t, "conv.txt", bold), filepath.Join(h.dir, "conv.txt"))
	rename(t, outside(t, "rev.md", tagged), filepath.Join(h.dir, "rev.md"))
	conv := h.waitItem(t, "conv", "published", func(storage.Item) bool { return true })
	rev := h.waitItem(t, "rev", "published", func(storage.Item) bool { return true })
	if markdown(conv) || !markdown(rev) || len(rev.Tags) != 1 {
		t.Fatalf("published conv.txt with body %q, rev.md with body %q and tags %q", conv.Body, rev.Body, rev.Tags)
	}

	for _, step := range []struct {
		slug, from, to string
		asMarkdown     bool
	}{
		{"conv", "conv.txt", "conv.md", true},
		{"rev", "rev.md", "rev.TXT", false},
		{"sub/conv", "conv.md", "sub/conv.txt", false},
		{"sub/rev", "rev.TXT", "sub/rev.MD", true},
	} {
		before, err := h.store.Article(step.from[:strings.LastIndexByte(step.from, '.')])
		if err != nil {
			t.Fatal(err)
		}
		rename(t, filepath.Join(h.dir, step.from), filepath.Join(h.dir, step.to))
		h.waitLog(t, "from="+step.from+" path="+step.to)
		checkReparsed(t, h, before, step.slug, step.to, step.asMarkdown)
	}
	if it, _ := h.store.Article("sub/conv"); len(it.Tags) != 0 {
		t.Errorf("sub/conv.txt has tags %q", it.Tags)
	}

	before, _ := h.store.Article("sub/rev")
	rename(t, filepath.Join(h.dir, "sub"), filepath.Join(h.dir, "desk"))
	it := h.waitItem(t, "desk/rev", "moved with its folder", func(storage.Item) bool { return true })
	if !markdown(it) || it.Key != before.Key || !it.Updated.Equal(before.Updated) {
		t.Errorf("desk/rev.MD after its folder's rename: key %q, body %q, updated %v; want %q, Markdown, %v",
			it.Key, it.Body, it.Updated, before.Key, before.Updated)
	}
	if n := h.log.Count("article published"); n != 2 {
		t.Errorf("%d articles published, want 2: every rename is a move", n)
	}
}

// TestFormatChangeWhileDown: the same renames while no daemon runs, seen
// by the next start-up scan.
func TestFormatChangeWhileDown(t *testing.T) {
	h := prepare(t, "")
	h.write(t, "conv.txt", bold)
	h.write(t, "rev.md", tagged)
	scanOnce(t, h.dir, h.store, nil)
	conv, _ := h.store.Article("conv")
	rev, _ := h.store.Article("rev")
	rename(t, filepath.Join(h.dir, "conv.txt"), filepath.Join(h.dir, "conv.md"))
	if err := os.Mkdir(filepath.Join(h.dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	rename(t, filepath.Join(h.dir, "rev.md"), filepath.Join(h.dir, "sub", "rev.txt"))
	scanOnce(t, h.dir, h.store, h.log)
	checkReparsed(t, h, conv, "conv", "conv.md", true)
	checkReparsed(t, h, rev, "sub/rev", "sub/rev.txt", false)

	// Nothing changed since: the next start changes nothing.
	scanOnce(t, h.dir, h.store, h.log)
	if n := h.log.Count(`msg="start-up scan done" published=0 restored=0 updated=0 moved=0 removed=0`); n != 1 {
		t.Errorf("the third start did something:\n%s", h.log)
	}
}
