package watcher

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// sportIndex is an _index.md with an Arabic title and description, and
// marks that must reach readers as written.
const sportIndex = "---\ntitle: \"الرياضة: \u200fكرة القدم\"\ndescription: |\n  أخبار الملاعب\n  ونتائج المباريات ١٢٣\nlang: AR\n---\nنص لا يُنشر\n"

var sportMeta = storage.SectionMeta{Path: "رياضة", Title: "الرياضة: \u200fكرة القدم", Description: "أخبار الملاعب\nونتائج المباريات ١٢٣", Lang: "ar"}

// waitSection waits until the section of dir is want (nil: none).
func (h *harness) waitSection(tb testing.TB, dir string, want *storage.SectionMeta) {
	tb.Helper()
	h.wait(tb, waitLimit, fmt.Sprintf("section %q = %+v", dir, want), func() bool {
		secs, err := h.store.Sections()
		if err != nil {
			tb.Fatal(err)
		}
		got, ok := secs[dir]
		return want == nil && !ok || want != nil && ok && got == *want
	})
}

// waitLang waits until the article at slug has the language lang.
func (h *harness) waitLang(tb testing.TB, slug, lang string) {
	tb.Helper()
	h.wait(tb, waitLimit, fmt.Sprintf("%s in %q", slug, lang), func() bool {
		it, err := h.store.Article(slug)
		return err == nil && it.Lang == lang
	})
}

func (h *harness) remove(tb testing.TB, rel string) {
	tb.Helper()
	if err := os.RemoveAll(filepath.Join(h.dir, filepath.FromSlash(rel))); err != nil {
		tb.Fatal(err)
	}
}

func (h *harness) rename(tb testing.TB, from, to string) {
	tb.Helper()
	if err := os.Rename(filepath.Join(h.dir, filepath.FromSlash(from)), filepath.Join(h.dir, filepath.FromSlash(to))); err != nil {
		tb.Fatal(err)
	}
}

func TestSectionLive(t *testing.T) {
	h := newHarness(t, "")
	h.write(t, "رياضة/_index.md", sportIndex)
	h.waitSection(t, "رياضة", &sportMeta)
	if m := h.titles(t); len(m) != 0 {
		t.Errorf("an _index.md published articles: %q", m)
	}

	// An edit, then a malformed edit: the meta stays, the log names the file.
	edited := sportMeta
	edited.Title, edited.Description, edited.Lang = "ملاعب", "", "en-GB"
	h.write(t, "رياضة/_index.md", "---\ntitle: ملاعب\nlang: en-gb\n---\n")
	h.waitSection(t, "رياضة", &edited)
	h.write(t, "رياضة/_index.md", "---\ntitle: ملاعب\nlang: [en\n---\n")
	h.waitLog(t, `msg="section refused; its meta stays as it was" path=رياضة/_index.md reason=invalid_yaml err="front matter is not valid YAML: line 3, column`)
	h.waitSection(t, "رياضة", &edited)

	// Renamed away, and back.
	h.rename(t, "رياضة/_index.md", "رياضة/old.txt.bak")
	h.waitSection(t, "رياضة", nil)
	h.write(t, "رياضة/new.md", sportIndex)
	h.rename(t, "رياضة/new.md", "رياضة/_index.md")
	h.waitSection(t, "رياضة", &sportMeta)

	// Deleted.
	h.remove(t, "رياضة/_index.md")
	h.waitSection(t, "رياضة", nil)
}

func TestSectionFolderMoves(t *testing.T) {
	h := newHarness(t, "")
	h.write(t, "desk/sub/_index.md", sportIndex)
	h.write(t, "desk/sub/a.md", "# أ\n\nنص\n")
	sub := sportMeta
	sub.Path = "desk/sub"
	h.waitSection(t, "desk/sub", &sub)
	h.waitLang(t, "desk/sub/a", "ar")

	// The folder renamed within: its section follows, its article too.
	h.rename(t, "desk", "مكتب")
	moved := sportMeta
	moved.Path = "مكتب/sub"
	h.waitSection(t, "مكتب/sub", &moved)
	h.waitSection(t, "desk/sub", nil)
	h.waitLang(t, "مكتب/sub/a", "ar")

	// Moved out of the seeds folder right after the rename: gone.
	if err := os.Rename(filepath.Join(h.dir, "مكتب"), filepath.Join(t.TempDir(), "away")); err != nil {
		t.Fatal(err)
	}
	h.waitSection(t, "مكتب/sub", nil)
	h.waitGone(t, "مكتب/sub/a.md")

	// Another folder, stored a while before, moved out: gone too.
	h.write(t, "out/sub/_index.md", sportIndex)
	h.write(t, "out/sub/b.md", "# ب\n")
	out := sportMeta
	out.Path = "out/sub"
	h.waitSection(t, "out/sub", &out)
	h.waitLang(t, "out/sub/b", "ar")
	if err := os.Rename(filepath.Join(h.dir, "out"), filepath.Join(t.TempDir(), "away")); err != nil {
		t.Fatal(err)
	}
	h.waitSection(t, "out/sub", nil)
	h.waitGone(t, "out/sub/b.md")

	// A folder made with its _index.md inside.
	h.write(t, "new/deeper/_index.md", "---\ntitle: جديد\n---\n")
	h.waitSection(t, "new/deeper", &storage.SectionMeta{Path: "new/deeper", Title: "جديد"})
}

// TestSectionFolderRenamedThenOut moves a folder out of the seeds folder
// at once after a rename within it: the move in is handled once the
// folder is gone again, before its watch could be taken, and the move out
// was told of a folder never watched.
func TestSectionFolderRenamedThenOut(t *testing.T) {
	h := newHarness(t, "")
	h.write(t, "desk/sub/_index.md", sportIndex)
	h.write(t, "desk/sub/a.md", "# أ\n\nنص\n")
	h.write(t, "desk/b.md", "# ب\n")
	sub := sportMeta
	sub.Path = "desk/sub"
	h.waitSection(t, "desk/sub", &sub)
	h.waitLang(t, "desk/sub/a", "ar")
	h.waitTitle(t, "desk/b.md", "ب")

	h.rename(t, "desk", "مكتب")
	if err := os.Rename(filepath.Join(h.dir, "مكتب"), filepath.Join(t.TempDir(), "away")); err != nil {
		t.Fatal(err)
	}
	h.waitLog(t, `msg="article moved" from=desk/sub/a.md`)
	h.waitFor(t, "no article", func(m map[string]string) bool { return len(m) == 0 })
	h.waitSection(t, "مكتب/sub", nil)
	h.waitSection(t, "desk/sub", nil)
}

func TestSectionLangInherited(t *testing.T) {
	h := newHarness(t, "")
	h.write(t, "desk/a.md", "# أ\n\nنص\n")
	h.write(t, "desk/sub/b.md", "---\ntitle: B\nlang: fr\n---\ntexte\n")
	h.write(t, "desk/sub/c.txt", "ج\nنص\n")
	h.waitTitle(t, "desk/sub/c.txt", "ج")
	h.waitTitle(t, "desk/sub/b.md", "B")
	h.waitTitle(t, "desk/a.md", "أ")

	// A language appears: the stored articles that name none take it,
	// without a new date.
	updated := h.updated(t, "desk/a")
	h.write(t, "desk/_index.md", "---\nlang: en\n---\n")
	h.waitLang(t, "desk/a", "en")
	h.waitLang(t, "desk/sub/c", "en")
	h.waitLang(t, "desk/sub/b", "fr")
	if got := h.updated(t, "desk/a"); !got.Equal(updated) {
		t.Errorf("updated %v after the folder's language changed, want %v kept", got, updated)
	}

	// A nearer one wins; a new article takes it as it is published.
	h.write(t, "desk/sub/_index.md", "---\nlang: ar-eg\n---\n")
	h.waitLang(t, "desk/sub/c", "ar-EG")
	h.write(t, "desk/sub/d.md", "# د\n")
	h.waitLang(t, "desk/sub/d", "ar-EG")
	h.waitLang(t, "desk/a", "en")
	h.waitLang(t, "desk/sub/b", "fr")

	// Gone: back to the next one up, then to none.
	h.remove(t, "desk/sub/_index.md")
	h.waitLang(t, "desk/sub/d", "en")
	h.remove(t, "desk/_index.md")
	h.waitLang(t, "desk/sub/d", "")
	h.waitLang(t, "desk/a", "")
	h.waitLang(t, "desk/sub/b", "fr")
}

func (h *harness) updated(tb testing.TB, slug string) time.Time {
	tb.Helper()
	it, err := h.store.Article(slug)
	if err != nil {
		tb.Fatalf("Article(%s) = %v", slug, err)
	}
	return it.Updated
}

func TestSectionRootLang(t *testing.T) {
	for _, fixed := range []bool{false, true} {
		t.Run(fmt.Sprintf("LangFixed=%v", fixed), func(t *testing.T) {
			h := prepare(t, "")
			h.write(t, "_index.md", "---\ntitle: الموقع\nlang: en\n---\n")
			h.write(t, "a.md", "# أ\n")
			h.write(t, "desk/b.md", "# ب\n")
			h.run(t, h.watcher(t, Options{Settle: 50 * time.Millisecond, LangFixed: fixed,
				Logger: slog.New(slog.NewTextHandler(h.log, nil))}))
			want := "en"
			if fixed {
				want = ""
			}
			h.waitSection(t, "", &storage.SectionMeta{Title: "الموقع", Lang: "en"})
			h.waitLang(t, "a", want)
			h.waitLang(t, "desk/b", want)
			h.write(t, "desk/_index.md", "---\nlang: fr\n---\n")
			h.waitLang(t, "desk/b", "fr")
			h.waitLang(t, "a", want)
		})
	}
}

func TestSectionRestart(t *testing.T) {
	h := prepare(t, "")
	h.write(t, "رياضة/_index.md", sportIndex)
	h.write(t, "ثقافة/_index.md", "---\ntitle: ثقافة\nlang: en\n---\n")
	h.write(t, "ثقافة/a.md", "# أ\n")
	h.write(t, "رياضة/b.md", "# ب\n")
	scanOnce(t, h.dir, h.store, nil)
	h.waitSection(t, "رياضة", &sportMeta)
	h.waitLang(t, "ثقافة/a", "en")

	// While no watcher runs: one deleted, one changed, one malformed.
	h.remove(t, "ثقافة/_index.md")
	h.write(t, "رياضة/_index.md", "---\ntitle: رياضة\nlang: fr\n---\n")
	h.write(t, "new/_index.md", "---\ntitle: [\n---\n")
	h.write(t, "old/_index.md", "---\ntitle: قديم\n---\n")
	scanOnce(t, h.dir, h.store, nil)
	h.write(t, "old/_index.md", "---\ntitle: قديم\nlang: 5\n---\n")
	scanOnce(t, h.dir, h.store, h.log)
	want := map[string]storage.SectionMeta{
		"رياضة": {Path: "رياضة", Title: "رياضة", Lang: "fr"},
		"old":   {Path: "old", Title: "قديم"},
	}
	secs, err := h.store.Sections()
	if err != nil || len(secs) != len(want) || secs["رياضة"] != want["رياضة"] || secs["old"] != want["old"] {
		t.Errorf("Sections() after restarts = %+v, %v; want %+v", secs, err, want)
	}
	h.waitLang(t, "ثقافة/a", "")
	h.waitLang(t, "رياضة/b", "fr")
	h.waitLog(t, "path=old/_index.md reason=bad_key")
}
